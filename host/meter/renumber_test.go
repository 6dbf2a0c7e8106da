package meter

import (
	"context"
	"fmt"
	"testing"

	"github.com/tetratelabs/wazero"
)

// renumberModule references functions in every way the binary format
// allows: calls, an import, exports, the start section, element segments
// with index lists and with expressions, a global initialised with
// ref.func, ref.func in a body, and the name section (function and local
// names).
func renumberModule() []byte {
	body := func(code ...byte) []byte {
		b := append([]byte{0x00}, code...) // no locals
		return append(uleb(uint32(len(b))), b...)
	}
	names := []string{"host", "one", "callone", "five", "indirect0", "indirect1", "viaglobal", "init", "callhost", "reffunc"}
	var fnames [][]byte
	for i, n := range names {
		fnames = append(fnames, cat(uleb(uint32(i)), str(n)))
	}
	nameSec := cat(str("name"),
		[]byte{1}, uleb(uint32(len(vec(fnames...)))), vec(fnames...),
		[]byte{2}, uleb(uint32(len(vec(cat(uleb(7), vec(cat(uleb(0), str("tmp")))))))), vec(cat(uleb(7), vec(cat(uleb(0), str("tmp"))))))
	var exps [][]byte
	for i, n := range names {
		if i != 0 && n != "init" {
			exps = append(exps, cat(str(n), []byte{0x00}, uleb(uint32(i))))
		}
	}
	exps = append(exps, cat(str("counter"), []byte{0x03, 0x00}))
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, section(1, vec(
		[]byte{0x60, 1, i32, 0}, // 0: (i32) -> ()
		[]byte{0x60, 0, 1, i32}, // 1: () -> i32
		[]byte{0x60, 0, 0},      // 2: () -> ()
	))...)
	m = append(m, section(2, vec(cat(str("env"), str("host"), []byte{0x00, 0x00})))...)
	m = append(m, section(3, vec([]byte{1}, []byte{1}, []byte{1}, []byte{1}, []byte{1}, []byte{1}, []byte{2}, []byte{1}, []byte{1}))...)
	m = append(m, section(4, vec([]byte{0x70, 0x00, 0x03}))...)
	m = append(m, section(6, vec(
		[]byte{i32, 0x01, 0x41, 0x00, 0x0b},  // counter
		[]byte{0x70, 0x00, 0xd2, 0x03, 0x0b}, // ref.func $five
	))...)
	m = append(m, section(7, vec(exps...))...)
	m = append(m, section(8, uleb(7))...)
	m = append(m, section(9, vec(
		cat([]byte{0x00, 0x41, 0x00, 0x0b}, vec([]byte{1})),                              // slot 0 = $one
		cat([]byte{0x04, 0x41, 0x01, 0x0b}, vec([]byte{0xd2, 0x03, 0x0b})),               // slot 1 = $five
		cat([]byte{0x03, 0x00}, vec([]byte{2})),                                          // declarative $callone
		cat([]byte{0x05, 0x70}, vec([]byte{0xd2, 0x02, 0x0b}, []byte{0xd2, 0x01, 0x0b})), // passive
	))...)
	m = append(m, section(10, vec(
		body(0x41, 1, 0x0b),             // one
		body(0x10, 1, 0x0b),             // callone
		body(0x41, 5, 0x0b),             // five
		body(0x41, 0, 0x11, 1, 0, 0x0b), // indirect0
		body(0x41, 1, 0x11, 1, 0, 0x0b), // indirect1
		body(0x41, 2, 0x23, 1, 0x26, 0, 0x41, 2, 0x11, 1, 0, 0x0b), // viaglobal
		body(0x10, 2, 0x41, 41, 0x6a, 0x24, 0, 0x0b),               // init: counter = callone() + 41
		body(0x41, 7, 0x10, 0, 0x41, 8, 0x0b),                      // callhost
		body(0xd2, 2, 0xd1, 0x0b),                                  // reffunc: ref.is_null(ref.func $callone)
	))...)
	return append(m, section(0, nameSec)...)
}

// TestRenumbering: the instrumented module behaves as the original and
// keeps its function names, although every defined function moved up by
// one index.
func TestRenumbering(t *testing.T) {
	ctx := context.Background()
	var hostArgs []uint32
	r := testRuntime(t)
	if _, err := r.NewHostModuleBuilder("env").NewFunctionBuilder().
		WithFunc(func(n uint32) { hostArgs = append(hostArgs, n) }).Export("host").Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	bin := renumberModule()
	ibin := mustInstrument(t, bin, Strict)
	run := func(bin []byte) string {
		mod, err := r.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			t.Fatal(err)
		}
		defer mod.Close(ctx)
		s := fmt.Sprintf("counter=%d", mod.ExportedGlobal("counter").Get())
		for _, name := range []string{"one", "callone", "five", "indirect0", "indirect1", "viaglobal", "callhost", "reffunc"} {
			fn := mod.ExportedFunction(name)
			res, err := fn.Call(ctx)
			s += fmt.Sprintf(" %s[%s]=%v,%v", name, fn.Definition().Name(), res, err)
		}
		imp := ""
		for _, d := range mod.ExportedFunctionDefinitions() {
			if d.Name() == "callhost" {
				imp = d.DebugName()
			}
		}
		return s + " " + imp
	}
	want, got := run(bin), run(ibin)
	if want != got {
		t.Errorf("original:     %s\ninstrumented: %s", want, got)
	}
	if fmt.Sprint(hostArgs) != "[7 7]" {
		t.Errorf("host called with %v", hostArgs)
	}
	t.Log(got)
}
