package instr

import (
	"bytes"
	"testing"
)

// ehBytes are the first bytes of the exception-handling operators: try,
// catch, throw, rethrow, throw_ref, delegate, catch_all, try_table.
var ehBytes = []byte{0x06, 0x07, 0x08, 0x09, 0x0a, 0x18, 0x19, 0x1f}

// rewriteBody instruments one body (locals declarations included) of a
// function with no parameters in a module with 32 globals and 4 types.
func rewriteBody(t *testing.T, body []byte, opt Options) (*walker, []byte) {
	t.Helper()
	w := &walker{opt: opt, types: 4, fuel: 32, limit: 33}
	out, _, err := w.rewrite(body, 0, 0, nil)
	if err != nil {
		t.Fatalf("rewrite: %v", err)
	}
	return w, append([]byte(nil), out...)
}

// TestLocalModeIgnoresImmediates: the mode is decided from the decoded
// operators. A body whose immediates, indices and local declarations hold
// every byte value of an exception-handling opcode, but no such operator,
// keeps the counter in a local. (A byte scan of the body, as before, chose
// the global mode for 2,186 of the 2,223 functions of the Go kernels.)
func TestLocalModeIgnoresImmediates(t *testing.T) {
	// 0x1f (31) locals of type i32 and one i64.
	body := []byte{0x02, 0x1f, 0x7f, 0x01, 0x7e}
	for _, c := range ehBytes {
		body = append(body,
			0x41, c, 0x1a, // i32.const c; drop
			0x42, c, 0x1a, // i64.const c; drop
			0x23, c, 0x1a, // global.get c; drop
			0x20, c, 0x1a, // local.get c; drop
			0x41, 0x00, 0x28, 0x02, c, 0x1a, // i32.const 0; i32.load offset=c; drop
		)
	}
	body = append(body,
		0x02, 0x40, 0x0c, 0x00, 0x0b, // block; br 0; end
		0x0b) // end
	for _, c := range ehBytes {
		if bytes.IndexByte(body[5:], c) < 0 {
			t.Fatalf("the body lacks byte %#x", c)
		}
	}
	w, out := rewriteBody(t, body, Options{})
	if !w.local {
		t.Fatal("a body without exception-handling operators chose the global mode")
	}
	// The appended i64 fuel local is declared after the original locals.
	if want := []byte{0x03, 0x1f, 0x7f, 0x01, 0x7e, 0x01, 0x7e}; !bytes.HasPrefix(out, want) {
		t.Fatalf("locals of the output: % x, want prefix % x", out[:7], want)
	}
}

// TestGlobalModeForExceptions: a body with an exception-handling operator
// keeps the counter in the global (an exception unwinding into a catch
// would skip the reload after the call that threw), even in unreachable
// code, and with Options.NoLocal every body does.
func TestGlobalModeForExceptions(t *testing.T) {
	for name, code := range map[string][]byte{
		"try":          {0x06, 0x40, 0x19, 0x0b},                         // try; catch_all; end
		"try-delegate": {0x06, 0x40, 0x18, 0x00},                         // try; delegate 0
		"try_table":    {0x1f, 0x40, 0x01, 0x02, 0x00, 0x0b},             // try_table (catch_all 0); end
		"throw":        {0x08, 0x00},                                     // throw 0
		"throw_ref":    {0xd0, 0x69, 0x0a},                               // ref.null exn; throw_ref
		"rethrow":      {0x06, 0x40, 0x19, 0x09, 0x00, 0x0b},             // try; catch_all; rethrow 0; end
		"dead-throw":   {0x00, 0x08, 0x00},                               // unreachable; throw 0
		"nested-try":   {0x02, 0x40, 0x06, 0x40, 0x07, 0x00, 0x0b, 0x0b}, // block; try; catch 0; end; end
	} {
		body := append([]byte{0x00}, code...)
		body = append(body, 0x0b)
		w, out := rewriteBody(t, body, Options{})
		if w.local {
			t.Errorf("%s: chose the local mode", name)
		}
		if out[0] != 0x00 {
			t.Errorf("%s: %d local declarations added in global mode", name, out[0])
		}
	}
	w, _ := rewriteBody(t, []byte{0x00, 0x01, 0x0b}, Options{NoLocal: true})
	if w.local {
		t.Error("NoLocal: chose the local mode")
	}
	w, _ = rewriteBody(t, []byte{0x00, 0x01, 0x0b}, Options{})
	if !w.local {
		t.Error("nop: chose the global mode")
	}
}

// TestLoopSlowPathSavesWrittenLocals: the slow path of a loop header saves
// the numeric locals the loop writes (nested loops' writes included) to
// scratch globals around the refuel call, not the locals it only reads,
// gives the header's charge back and branches to the header; a loop that
// writes more than MaxSaved locals of one type saves none.
func TestLoopSlowPathSavesWrittenLocals(t *testing.T) {
	rewrite := func(body []byte) (*walker, []byte) {
		w := &walker{opt: Options{ImportModule: "m", ImportName: "f"}, types: 4, fuel: 32, limit: 33, scratchBase: 34, track: true}
		out, _, err := w.rewrite(body, 0, 0, nil)
		if err != nil {
			t.Fatalf("rewrite: %v", err)
		}
		return w, append([]byte(nil), out...)
	}
	// Locals: 0-1 i32, 2 i64, 3 f64. The outer loop reads 1; its inner
	// loop writes 0, 2 and 3.
	body := []byte{0x03, 0x02, 0x7f, 0x01, 0x7e, 0x01, 0x7c,
		0x03, 0x40, // loop
		0x03, 0x40, // loop
		0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00, // local 0 += 1
		0x20, 0x02, 0x42, 0x01, 0x7c, 0x21, 0x02, // local 2 += 1
		0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x21, 0x03, // local 3 = 0.0
		0x20, 0x00, 0x41, 0x0a, 0x48, 0x0d, 0x00, // br_if 0 (local 0 < 10)
		0x0b,
		0x20, 0x00, 0x20, 0x01, 0x48, 0x0d, 0x00, // br_if 0 (local 0 < local 1)
		0x0b, 0x0b}
	w, out := rewrite(body)
	if w.scratchRows != 1 {
		t.Errorf("scratch rows %d, want 1", w.scratchRows)
	}
	save := func(local, global byte) []byte { return []byte{0x20, local, 0x24, global} }
	load := func(local, global byte) []byte { return []byte{0x23, global, 0x21, local} }
	// Scratch globals in rows of i32, i64, f32, f64 from index 34.
	for _, want := range [][]byte{save(0, 34), save(2, 35), save(3, 37), load(0, 34), load(2, 35), load(3, 37)} {
		if n := bytes.Count(out, want); n != 2 {
			t.Errorf("% x appears %d times, want 2 (one per loop header)", want, n)
		}
	}
	if bytes.Contains(out, save(1, 34)) || bytes.Contains(out, save(1, 35)) {
		t.Error("a local the loops only read is saved")
	}
	// Give the charge back (global.get fuel; i64.const cost; i64.add, but
	// the outer header's segment costs 0), local.set f (local 4); br 1; end.
	if n := bytes.Count(out, []byte{0x21, 0x04, 0x0c, 0x01, 0x0b}); n != 2 {
		t.Errorf("%d slow paths end by branching to the loop, want 2", n)
	}

	// Nine i32 locals written: more than MaxSaved, none saved.
	body = []byte{0x01, 0x09, 0x7f, 0x03, 0x40}
	for i := byte(0); i < 9; i++ {
		body = append(body, 0x41, 0x01, 0x21, i) // local i = 1
	}
	body = append(body, 0x41, 0x00, 0x0d, 0x00, 0x0b, 0x0b)
	w, out = rewrite(body)
	if w.scratchRows != 0 || bytes.Contains(out, []byte{0x24, 34}) {
		t.Errorf("nine i32 locals written: %d scratch rows, output % x", w.scratchRows, out)
	}
	if !bytes.Contains(out, []byte{0x0c, 0x01, 0x0b}) {
		t.Error("without saves the slow path still branches back to the loop")
	}
}
