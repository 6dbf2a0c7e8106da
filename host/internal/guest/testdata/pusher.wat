;; The push path's test guest (docs/abi.md section 6). watchbox_event takes
;; the envelope from the buffer it registered when size has SizePushed
;; (bit 31) set, else pulls it with event_read into 0x10000. Kind 1000 is
;; the test's own: its fields are passed as is to register_event_buffer
;; (op 68), and a refusal's status is the handler's status. Every other
;; kind replies with the envelope's fields, so the host sees what the
;; guest read. pushed and pulled count the calls of each path.
;; Build: wat2wasm pusher.wat -o pusher.wasm
(module
  (import "watchbox" "event_read" (func $event_read (param i32 i32) (result i32)))
  (import "watchbox" "event_reply" (func $event_reply (param i32 i32) (result i32)))
  (import "watchbox" "request" (func $request (param i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $buf (mut i32) (i32.const 0))
  (global $pushed (export "pushed") (mut i32) (i32.const 0))
  (global $pulled (export "pulled") (mut i32) (i32.const 0))
  (func (export "watchbox_abi_v1"))
  (func (export "watchbox_event") (param $kind i32) (param $size i32) (result i32)
    (local $src i32) (local $n i32) (local $r i32)
    (if (i32.lt_s (local.get $size) (i32.const 0))
      (then
        (local.set $n (i32.and (local.get $size) (i32.const 0x7fffffff)))
        (local.set $src (global.get $buf))
        (global.set $pushed (i32.add (global.get $pushed) (i32.const 1))))
      (else
        (local.set $n (call $event_read (i32.const 0x10000) (i32.const 0x10000)))
        (if (i32.ne (local.get $n) (local.get $size)) (then (return (i32.const 18))))
        (local.set $src (i32.const 0x10000))
        (global.set $pulled (i32.add (global.get $pulled) (i32.const 1)))))
    ;; the header's kind must be the argument's
    (if (i32.ne (i32.load16_u offset=2 (local.get $src)) (local.get $kind))
      (then (return (i32.const 18))))
    (if (i32.eq (local.get $kind) (i32.const 1000))
      (then
        ;; the address field's value is the first field's: key 64 first
        (local.set $r (call $request (i32.const 68)
          (i32.add (local.get $src) (i32.const 24)) (i32.sub (local.get $n) (i32.const 24))))
        (if (i32.lt_s (local.get $r) (i32.const 0))
          (then (return (i32.sub (i32.const 0) (local.get $r)))))
        (global.set $buf (i32.wrap_i64 (i64.load offset=32 (local.get $src))))
        (return (i32.const 0))))
    (drop (call $event_reply (i32.add (local.get $src) (i32.const 24)) (i32.sub (local.get $n) (i32.const 24))))
    (i32.const 0)))
