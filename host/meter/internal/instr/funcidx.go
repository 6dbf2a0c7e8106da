package instr

import "math"

// Appending an imported function (the refuel slow path) gives it index
// importedFuncs and moves every defined function up by one. remap renumbers
// function indices in every place the binary format holds one: call,
// return_call and ref.func in bodies (see walker), constant expressions
// (globals, tables, element segments), element segment index lists, function
// exports, the start section and the name section.
type remap struct {
	on   bool
	from uint32 // the number of imported functions in the input
	by   uint32 // the number of functions imported by the rewrite (1 or 2)
}

// fn maps a function index of the input to the output. Indices that were
// out of range stay out of range (MaxUint32 is kept rather than wrapping to
// 0), so an invalid module is never made valid.
func (m remap) fn(i uint32) uint32 {
	if !m.on || i < m.from || i == math.MaxUint32 {
		return i
	}
	return i + m.by
}

// funcIdx reads a function index and appends it renumbered.
func (m remap) funcIdx(r *reader, out []byte) ([]byte, error) {
	i, err := r.u32()
	if err != nil {
		return out, err
	}
	return appendU32(out, m.fn(i)), nil
}

// constExpr copies a constant expression up to and including its end,
// renumbering ref.func. It accepts every operator wazero accepts in a
// constant expression (and rejects what no engine could).
func (m remap) constExpr(r *reader, out []byte) ([]byte, error) {
	last := r.pos
	for {
		opStart := r.pos
		op, err := r.byte()
		if err != nil {
			return out, err
		}
		switch op {
		case 0x0b: // end
			return append(out, r.b[last:r.pos]...), nil
		case 0x41:
			_, err = r.sleb(32)
		case 0x42:
			_, err = r.sleb(64)
		case 0x43:
			err = r.skip(4)
		case 0x44:
			err = r.skip(8)
		case 0x23: // global.get
			_, err = r.u32()
		case 0xd0: // ref.null ht
			at := r.pos
			var ht int64
			if ht, err = r.sleb(33); err == nil {
				err = r.typeIdx(ht, at)
			}
		case 0xd2: // ref.func
			out = append(out, r.b[last:r.pos]...)
			out, err = m.funcIdx(r, out)
			last = r.pos
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // extended-const add, sub, mul
		case 0xfd: // v128.const
			var sub uint32
			if sub, err = r.u32(); err == nil {
				if sub != 12 {
					r.pos = opStart
					return out, r.fail("invalid 0xfd opcode %d in a constant expression", sub)
				}
				err = r.skip(16)
			}
		default:
			r.pos = opStart
			return out, r.fail("opcode %#x is not allowed in a constant expression", op)
		}
		if err != nil {
			return out, err
		}
	}
}

// copied appends r.b[from:r.pos] to out.
func copied(r *reader, out []byte, from int) []byte { return append(out, r.b[from:r.pos]...) }

// The section rewriters below read from r and append to out; the caller
// copies any bytes left in the section after them unchanged.

// exports rewrites n export entries (the count is already in out).
func (m remap) exports(r *reader, out []byte, n uint32) ([]byte, error) {
	for i := uint32(0); i < n; i++ {
		mark := r.pos
		if _, err := r.name(); err != nil {
			return out, err
		}
		kind, err := r.byte()
		if err != nil {
			return out, err
		}
		out = copied(r, out, mark)
		if kind == 0x00 {
			if out, err = m.funcIdx(r, out); err != nil {
				return out, err
			}
			continue
		}
		mark = r.pos
		if _, err := r.u32(); err != nil {
			return out, err
		}
		out = copied(r, out, mark)
	}
	return out, nil
}

// globals rewrites n global entries: type, mutability, init expression.
func (m remap) globals(r *reader, out []byte, n uint32) ([]byte, error) {
	for i := uint32(0); i < n; i++ {
		mark := r.pos
		if err := skipValType(r); err != nil {
			return out, err
		}
		if _, err := r.byte(); err != nil {
			return out, err
		}
		out = copied(r, out, mark)
		var err error
		if out, err = m.constExpr(r, out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// tables rewrites the table section (typed function references allow an
// init expression: 0x40 0x00 tabletype expr).
func (m remap) tables(r *reader, out []byte) ([]byte, error) {
	mark := r.pos
	n, err := r.u32()
	if err != nil {
		return out, err
	}
	out = copied(r, out, mark)
	for i := uint32(0); i < n; i++ {
		mark := r.pos
		c, err := r.peek()
		if err != nil {
			return out, err
		}
		init := c == 0x40
		if init {
			r.pos++
			if z, err := r.byte(); err != nil {
				return out, err
			} else if z != 0 {
				r.pos--
				return out, r.fail("expected 0x00 after the 0x40 table prefix, got %#x", z)
			}
		}
		if err := skipValType(r); err != nil {
			return out, err
		}
		if err := skipLimits(r); err != nil {
			return out, err
		}
		out = copied(r, out, mark)
		if init {
			if out, err = m.constExpr(r, out); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// elements rewrites the element section: index lists and expressions.
func (m remap) elements(r *reader, out []byte) ([]byte, error) {
	mark := r.pos
	n, err := r.u32()
	if err != nil {
		return out, err
	}
	out = copied(r, out, mark)
	funcVec := func() error {
		k, err := r.u32()
		if err != nil {
			return err
		}
		out = appendU32(out, k)
		for j := uint32(0); j < k; j++ {
			if out, err = m.funcIdx(r, out); err != nil {
				return err
			}
		}
		return nil
	}
	exprVec := func() error {
		k, err := r.u32()
		if err != nil {
			return err
		}
		out = appendU32(out, k)
		for j := uint32(0); j < k; j++ {
			if out, err = m.constExpr(r, out); err != nil {
				return err
			}
		}
		return nil
	}
	expr := func() (err error) {
		out, err = m.constExpr(r, out)
		return err
	}
	// raw copies the next few fields unchanged.
	raw := func(f func() error) error {
		mark := r.pos
		if err := f(); err != nil {
			return err
		}
		out = copied(r, out, mark)
		return nil
	}
	table := func() error { _, err := r.u32(); return err }
	kind := func() error { _, err := r.byte(); return err }
	reftype := func() error { return skipValType(r) }
	for i := uint32(0); i < n; i++ {
		mark := r.pos
		flags, err := r.u32()
		if err != nil {
			return out, err
		}
		out = copied(r, out, mark)
		switch flags {
		case 0: // active, table 0: expr vec(funcidx)
			if err = expr(); err == nil {
				err = funcVec()
			}
		case 1, 3: // passive or declarative: elemkind vec(funcidx)
			if err = raw(kind); err == nil {
				err = funcVec()
			}
		case 2: // active: table expr elemkind vec(funcidx)
			if err = raw(table); err == nil {
				if err = expr(); err == nil {
					if err = raw(kind); err == nil {
						err = funcVec()
					}
				}
			}
		case 4: // active, table 0: expr vec(expr)
			if err = expr(); err == nil {
				err = exprVec()
			}
		case 5, 7: // passive or declarative: reftype vec(expr)
			if err = raw(reftype); err == nil {
				err = exprVec()
			}
		case 6: // active: table expr reftype vec(expr)
			if err = raw(table); err == nil {
				if err = expr(); err == nil {
					if err = raw(reftype); err == nil {
						err = exprVec()
					}
				}
			}
		default:
			r.pos = mark
			return out, r.fail("invalid element segment flags %d", flags)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// names rewrites the function indices of the "name" custom section's
// function names (1), local names (2) and label names (3) subsections; r is
// positioned after the section's name. It reports false if the section does
// not parse, and the caller then keeps the section as it was (names are
// debug information; an engine that validates the section rejects it
// either way).
func (m remap) names(r *reader, out []byte) ([]byte, bool) {
	for !r.eof() {
		id, err := r.byte()
		if err != nil {
			return out, false
		}
		size, err := r.u32()
		if err != nil {
			return out, false
		}
		start := r.pos
		if r.skip(int(size)) != nil {
			return out, false
		}
		end := r.pos
		if id < 1 || id > 3 {
			out = append(out, id)
			out = appendU32(out, size)
			out = append(out, r.b[start:end]...)
			continue
		}
		sr := &reader{b: r.b[:end], pos: start}
		n, err := sr.u32()
		if err != nil {
			return out, false
		}
		c := appendU32(make([]byte, 0, size+8), n)
		for i := uint32(0); i < n; i++ {
			if c, err = m.funcIdx(sr, c); err != nil {
				return out, false
			}
			mark := sr.pos
			if id == 1 {
				_, err = sr.name()
			} else { // vec(idx name)
				var k uint32
				if k, err = sr.u32(); err == nil {
					for j := uint32(0); j < k && err == nil; j++ {
						if _, err = sr.u32(); err == nil {
							_, err = sr.name()
						}
					}
				}
			}
			if err != nil {
				return out, false
			}
			c = copied(sr, c, mark)
		}
		if sr.pos != end {
			return out, false
		}
		out = append(out, id)
		out = appendU32(out, uint32(len(c)))
		out = append(out, c...)
	}
	return out, true
}
