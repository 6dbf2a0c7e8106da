package meter

// A tiny binary-module builder for tests.

func uleb(v uint32) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
		} else {
			return append(b, c)
		}
	}
}

// sleb32 encodes v as signed LEB128.
func sleb32(v int32) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func vec(items ...[]byte) []byte {
	b := uleb(uint32(len(items)))
	for _, it := range items {
		b = append(b, it...)
	}
	return b
}

func section(id byte, content []byte) []byte {
	return append(append([]byte{id}, uleb(uint32(len(content)))...), content...)
}

func str(s string) []byte { return append(uleb(uint32(len(s))), s...) }

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// fn is a function for testModule: its type and body (without locals).
type fn struct {
	params, results []byte
	locals          []byte // encoded local declarations vector; nil = none
	body            []byte // instructions including the final end
	export          string
}

type imp struct {
	module, name    string
	params, results []byte
}

// testModule builds a module with the given imported functions, functions,
// and optionally one memory of the given pages (exported as "memory").
func testModule(imports []imp, funcs []fn, memPages int) []byte {
	var types, imps, fidx, codes, exps [][]byte
	for _, im := range imports {
		types = append(types, cat([]byte{0x60}, vec(bytesOf(im.params)...), vec(bytesOf(im.results)...)))
		imps = append(imps, cat(str(im.module), str(im.name), []byte{0x00}, uleb(uint32(len(types)-1))))
	}
	for i, f := range funcs {
		types = append(types, cat([]byte{0x60}, vec(bytesOf(f.params)...), vec(bytesOf(f.results)...)))
		fidx = append(fidx, uleb(uint32(len(types)-1)))
		locals := f.locals
		if locals == nil {
			locals = []byte{0}
		}
		body := cat(locals, f.body)
		codes = append(codes, cat(uleb(uint32(len(body))), body))
		if f.export != "" {
			exps = append(exps, cat(str(f.export), []byte{0x00}, uleb(uint32(len(imports)+i))))
		}
	}
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, section(1, vec(types...))...)
	if len(imps) > 0 {
		m = append(m, section(2, vec(imps...))...)
	}
	m = append(m, section(3, vec(fidx...))...)
	if memPages > 0 {
		m = append(m, section(5, vec(cat([]byte{0x00}, uleb(uint32(memPages)))))...)
		exps = append(exps, cat(str("memory"), []byte{0x02, 0x00}))
	}
	if len(exps) > 0 {
		m = append(m, section(7, vec(exps...))...)
	}
	m = append(m, section(10, vec(codes...))...)
	return m
}

func bytesOf(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1]
	}
	return out
}

const (
	i32 = 0x7f
	i64 = 0x7e
)

// fibModule: (func $fib (param i32) (result i64)) tree recursion with no
// loops, so only function-entry and post-call checks can stop it.
//
//	local.get 0; i32.const 2; i32.lt_s
//	if (result i64) local.get 0; i64.extend_i32_s
//	else local.get 0; i32.const 1; i32.sub; call 0; local.get 0; i32.const 2; i32.sub; call 0; i64.add
//	end
func fibModule() []byte {
	body := []byte{
		0x20, 0, 0x41, 2, 0x48,
		0x04, i64, 0x20, 0, 0xac,
		0x05, 0x20, 0, 0x41, 1, 0x6b, 0x10, 0, 0x20, 0, 0x41, 2, 0x6b, 0x10, 0, 0x7c,
		0x0b, 0x0b,
	}
	return testModule(nil, []fn{{params: []byte{i32}, results: []byte{i64}, body: body, export: "fib"}}, 0)
}

// loopModule: (func $spin (param i64) (result i64)) counts down from the
// argument in a tight loop; a negative argument spins (almost) forever.
//
//	loop; local.get 0; i64.const 1; i64.sub; local.tee 0; i64.eqz; i32.eqz; br_if 0; end; local.get 0
func loopModule() []byte {
	body := []byte{0x03, 0x40, 0x20, 0, 0x42, 1, 0x7d, 0x22, 0, 0x50, 0x45, 0x0d, 0, 0x0b, 0x20, 0, 0x0b}
	return testModule(nil, []fn{{params: []byte{i64}, results: []byte{i64}, body: body, export: "spin"}}, 0)
}

// hostModule imports env.host (param i32) and exports "run" (param i32)
// that calls it with its argument, and "trap" that hits unreachable, and
// "grow" (param i32) (result i32) that grows memory, and "fill" (param i32)
// that fills that many bytes at 0.
func hostModule() []byte {
	return testModule([]imp{{"env", "host", []byte{i32}, nil}}, []fn{
		{params: []byte{i32}, body: []byte{0x20, 0, 0x10, 0, 0x0b}, export: "run"},
		{body: []byte{0x00, 0x0b}, export: "trap"},
		{params: []byte{i32}, results: []byte{i32}, body: []byte{0x20, 0, 0x40, 0, 0x0b}, export: "grow"},
		{params: []byte{i32}, body: []byte{0x41, 0, 0x41, 7, 0x20, 0, 0xfc, 11, 0, 0x0b}, export: "fill"},
	}, 1)
}
