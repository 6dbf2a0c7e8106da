;; A flood of host calls: watchbox_event(n, _) calls request(1, 0, 65536)
;; n times (forever when n is 0), each with 64 KiB of arguments (one bytes
;; field filling them), and returns ok. Each request costs the guest a few
;; instructions and the host a 64 KiB copy and a scan of the fields.
;; Build: wat2wasm flood.wat -o flood.wasm
(module
  (import "watchbox" "request" (func $request (param i32 i32 i32) (result i32)))
  (memory 2)
  ;; key 1, type 2 (bytes), length 65528
  (data (i32.const 0) "\01\00\02\00\f8\ff\00\00")
  (func (export "watchbox_event") (param $n i32) (param $len i32) (result i32)
    (loop $again
      (drop (call $request (i32.const 1) (i32.const 0) (i32.const 65536)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $again (local.get $n)))
    (i32.const 0)))
