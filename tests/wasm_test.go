package tests

// A tiny WebAssembly binary encoder, enough to write the small modules the
// CLI tests feed to watchbox: function types, function imports, functions
// with raw body bytes, one memory and exports. No wabt needed.

import (
	"bytes"
	"testing"
)

// Wasm value types and export kinds.
const (
	wI32 byte = 0x7f
	wI64 byte = 0x7e

	exportFunc   byte = 0x00
	exportMemory byte = 0x02
)

// wasmType is a function type.
type wasmType struct{ params, results []byte }

// wasmImport is a function import of type index typ.
type wasmImport struct {
	module, name string
	typ          uint32
}

// wasmFunc is a defined function: its type index and its body, which is the
// local declarations followed by the code, without the trailing end opcode
// (the encoder adds it).
type wasmFunc struct {
	typ  uint32
	body []byte
}

// wasmExport exports index idx (in the function or memory index space) as
// name.
type wasmExport struct {
	name string
	kind byte
	idx  uint32
}

// wasmModule is a module to encode. Function indices count the imports first.
type wasmModule struct {
	types   []wasmType
	imports []wasmImport
	funcs   []wasmFunc
	memory  *uint32 // minimum pages, if the module defines a memory
	exports []wasmExport
}

// uleb appends v as unsigned LEB128.
func uleb(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			c |= 0x80
		}
		b = append(b, c)
		if v == 0 {
			return b
		}
	}
}

// sleb appends v as signed LEB128.
func sleb(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		done := (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0)
		if !done {
			c |= 0x80
		}
		b = append(b, c)
		if done {
			return b
		}
	}
}

func wasmName(b []byte, s string) []byte {
	return append(uleb(b, uint64(len(s))), s...)
}

func wasmVec(b []byte, items []byte) []byte {
	return append(uleb(b, uint64(len(items))), items...)
}

// section appends a section with id and content, if the content has any
// entries (count > 0).
func section(out []byte, id byte, count int, content []byte) []byte {
	if count == 0 {
		return out
	}
	payload := append(uleb(nil, uint64(count)), content...)
	out = append(out, id)
	out = uleb(out, uint64(len(payload)))
	return append(out, payload...)
}

// encode returns the module's binary form.
func (m *wasmModule) encode() []byte {
	out := []byte("\x00asm\x01\x00\x00\x00")

	var types []byte
	for _, t := range m.types {
		types = append(types, 0x60)
		types = wasmVec(types, t.params)
		types = wasmVec(types, t.results)
	}
	out = section(out, 1, len(m.types), types)

	var imports []byte
	for _, im := range m.imports {
		imports = wasmName(imports, im.module)
		imports = wasmName(imports, im.name)
		imports = append(imports, 0x00) // function
		imports = uleb(imports, uint64(im.typ))
	}
	out = section(out, 2, len(m.imports), imports)

	var funcs []byte
	for _, f := range m.funcs {
		funcs = uleb(funcs, uint64(f.typ))
	}
	out = section(out, 3, len(m.funcs), funcs)

	if m.memory != nil {
		mem := uleb([]byte{0x00}, uint64(*m.memory)) // limits: min only
		out = section(out, 5, 1, mem)
	}

	var exports []byte
	for _, e := range m.exports {
		exports = wasmName(exports, e.name)
		exports = append(exports, e.kind)
		exports = uleb(exports, uint64(e.idx))
	}
	out = section(out, 7, len(m.exports), exports)

	var code []byte
	for _, f := range m.funcs {
		body := append(bytes.Clone(f.body), 0x0b) // end
		code = uleb(code, uint64(len(body)))
		code = append(code, body...)
	}
	return section(out, 10, len(m.funcs), code)
}

// bodyEmpty is the body of a function of type () -> (): no locals, no code.
var bodyEmpty = []byte{0x00}

// guest describes a hand-made watchbox guest; guest.module builds it. The
// zero value plus defaults (see validGuest) is a complete ABI v1 app whose
// handler returns ok for every event.
type guest struct {
	marker      string // ABI marker export; "" for none
	eventParams []byte // watchbox_event's parameter types
	eventResult []byte // watchbox_event's result types
	noEvent     bool   // leave out watchbox_event
	noMemory    bool   // leave out the memory
	start       bool
	loop        bool        // watchbox_event loops forever
	initTrap    bool        // export an _initialize that traps (unreachable)
	memPages    uint32      // the memory's minimum size in pages; 0 means 1        // export _start, as a WASI command does
	extraImport [][2]string // more imports (module, name) of type () -> ()
}

func validGuest() guest {
	return guest{marker: "watchbox_abi_v1", eventParams: []byte{wI32, wI32}, eventResult: []byte{wI32}}
}

func (g guest) module() []byte {
	m := &wasmModule{
		types: []wasmType{
			{},                                 // 0: () -> ()
			{[]byte{wI32, wI32}, []byte{wI32}}, // 1: (i32, i32) -> i32
			{g.eventParams, g.eventResult},     // 2: watchbox_event's type
		},
		imports: []wasmImport{{"watchbox", "event_read", 1}},
	}
	for _, im := range g.extraImport {
		m.imports = append(m.imports, wasmImport{im[0], im[1], 0})
	}
	next := uint32(len(m.imports))
	add := func(name string, typ uint32, body []byte) {
		m.funcs = append(m.funcs, wasmFunc{typ, body})
		m.exports = append(m.exports, wasmExport{name, exportFunc, next})
		next++
	}
	if g.marker != "" {
		add(g.marker, 0, bodyEmpty)
	}
	if !g.noEvent {
		// The body must leave exactly the declared results on the stack.
		body := []byte{0x00}
		if g.loop {
			body = append(body, 0x03, 0x40, 0x0c, 0x00, 0x0b) // loop br 0 end
		}
		for _, r := range g.eventResult {
			switch r {
			case wI32:
				body = sleb(append(body, 0x41), 0) // i32.const 0
			case wI64:
				body = sleb(append(body, 0x42), 0) // i64.const 0
			}
		}
		add("watchbox_event", 2, body)
	}
	if g.initTrap {
		add("_initialize", 0, []byte{0x00, 0x00}) // unreachable
	}
	if g.start {
		add("_start", 0, bodyEmpty)
	}
	if !g.noMemory {
		pages := max(g.memPages, 1)
		m.memory = &pages
		m.exports = append(m.exports, wasmExport{"memory", exportMemory, 0})
	}
	return m.encode()
}

func TestLEB128(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    uint64
		want []byte
	}{{0, []byte{0}}, {127, []byte{0x7f}}, {128, []byte{0x80, 0x01}}, {624485, []byte{0xe5, 0x8e, 0x26}}} {
		if got := uleb(nil, c.v); !bytes.Equal(got, c.want) {
			t.Errorf("uleb(%d) = % x, want % x", c.v, got, c.want)
		}
	}
	for _, c := range []struct {
		v    int64
		want []byte
	}{{0, []byte{0}}, {-1, []byte{0x7f}}, {63, []byte{0x3f}}, {64, []byte{0xc0, 0x00}}, {-123456, []byte{0xc0, 0xbb, 0x78}}} {
		if got := sleb(nil, c.v); !bytes.Equal(got, c.want) {
			t.Errorf("sleb(%d) = % x, want % x", c.v, got, c.want)
		}
	}
}
