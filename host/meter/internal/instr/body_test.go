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
