;; A memory bomb: watchbox_event(step, _) grows the memory by step pages
;; at a time until memory.grow fails, then page by page up to the memory
;; limit, writing one byte in every 4 KiB of each new page so that all of
;; it is resident.
;; Build: wat2wasm bomb.wat -o bomb.wasm
(module
  (memory 1)
  (func (export "watchbox_event") (param $step i32) (param $len i32) (result i32)
    (local $old i32) (local $p i32) (local $end i32)
    (block $done
      (loop $grow
        (local.set $old (memory.grow (local.get $step)))
        (if (i32.eq (local.get $old) (i32.const -1))
          (then
            (br_if $done (i32.le_u (local.get $step) (i32.const 1)))
            (local.set $step (i32.const 1))
            (br $grow)))
        (local.set $p (i32.mul (local.get $old) (i32.const 65536)))
        (local.set $end (i32.mul (i32.add (local.get $old) (local.get $step)) (i32.const 65536)))
        (loop $touch
          (i32.store8 (local.get $p) (i32.const 1))
          (local.set $p (i32.add (local.get $p) (i32.const 4096)))
          (br_if $touch (i32.lt_u (local.get $p) (local.get $end))))
        (br $grow)))
    (i32.const 0)))
