;; watchbox_event(kind, _) makes one request with op = kind and no
;; arguments, and returns ok: the host's handler sees which app called.
;; Build: wat2wasm caller.wat -o caller.wasm
(module
  (import "watchbox" "request" (func $request (param i32 i32 i32) (result i32)))
  (memory 1)
  (func (export "watchbox_event") (param $kind i32) (param $len i32) (result i32)
    (drop (call $request (local.get $kind) (i32.const 0) (i32.const 0)))
    (i32.const 0)))
