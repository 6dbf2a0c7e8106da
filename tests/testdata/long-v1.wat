;; A test guest for `watchbox dev`'s reload during a long event
;; (tests/dev_test.go, TestDevReloadWaitsForLongEvent). Every event prints
;; a line on stdout naming the version (v1): will_resign_active (4) prints
;; "v1 long start", burns 500,000,000 loop turns (about 4e9 fuel, more
;; than the default lifecycle_time buys: run it with --set
;; lifecycle_time=300s; a second or so of wall time on a quiet machine),
;; then prints "v1 long end"; save_state (64)
;; prints "v1 save_state" and answers ok with no state; any other event
;; prints "v1 event". long-v1.wat and long-v2.wat differ only in the
;; version.
;; Build: wat2wasm long-v1.wat -o long-v1.wasm
(module
  (import "watchbox" "event_read" (func $event_read (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "v1 long start\n")
  (data (i32.const 32) "v1 long end\n")
  (data (i32.const 48) "v1 save_state\n")
  (data (i32.const 64) "v1 event\n")
  ;; say writes len bytes at ptr to stdout, through the iovec at 0.
  (func $say (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "watchbox_abi_v1"))
  (func (export "watchbox_event") (param $kind i32) (param $len i32) (result i32)
    (local $i i32)
    (if (i32.eq (local.get $kind) (i32.const 4))
      (then
        (call $say (i32.const 16) (i32.const 14))
        (loop $burn
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $burn (i32.lt_u (local.get $i) (i32.const 500000000))))
        (call $say (i32.const 32) (i32.const 12))
        (return (i32.const 0))))
    (if (i32.eq (local.get $kind) (i32.const 64))
      (then
        (call $say (i32.const 48) (i32.const 14))
        (return (i32.const 0))))
    (call $say (i32.const 64) (i32.const 9))
    (i32.const 0)))
