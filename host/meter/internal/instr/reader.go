// Package instr is the byte-level WebAssembly module rewriter behind
// host/meter: a streaming opcode walker over raw function bodies that inserts
// fuel charges, plus the section plumbing that adds the fuel global and its
// export. It never builds an IR: bodies are walked once to find the metering
// points and copied once with the charges spliced in.
package instr

import (
	"errors"
	"fmt"
)

// Error is a malformed-input error. It names the section and the absolute byte
// offset in the module where decoding failed.
type Error struct {
	Section string // e.g. "code", "import", "header"
	Offset  int    // absolute byte offset in the input module
	Func    int    // function index for code-section errors, or -1
	Msg     string
}

func (e *Error) Error() string {
	if e.Func >= 0 {
		return fmt.Sprintf("%s section, function %d, offset %#x: %s", e.Section, e.Func, e.Offset, e.Msg)
	}
	return fmt.Sprintf("%s section, offset %#x: %s", e.Section, e.Offset, e.Msg)
}

var errEOF = errors.New("unexpected end of input")

// reader reads LEB128 numbers and bytes from b. Offsets reported in errors
// are base+pos, i.e. absolute in the module.
type reader struct {
	b    []byte
	pos  int
	base int
	// With checkTypes, type indices at or past types (the number of types
	// of the input) are rejected: the rewrite appends types, which would
	// make such an invalid reference valid.
	types      uint32
	checkTypes bool
}

// typeIdx checks a type index (a negative heap type is an abstract type)
// read at offset at.
func (r *reader) typeIdx(v int64, at int) error {
	if r.checkTypes && v >= int64(r.types) {
		r.pos = at
		return r.fail("unknown type %d (the module has %d types)", v, r.types)
	}
	return nil
}

type decodeErr struct {
	off int
	msg string
}

func (e *decodeErr) Error() string { return e.msg }

func (r *reader) fail(format string, args ...any) error {
	return &decodeErr{off: r.base + r.pos, msg: fmt.Sprintf(format, args...)}
}

func (r *reader) eof() bool { return r.pos >= len(r.b) }

func (r *reader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, r.fail("%v", errEOF)
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

func (r *reader) peek() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, r.fail("%v", errEOF)
	}
	return r.b[r.pos], nil
}

func (r *reader) skip(n int) error {
	if n < 0 || len(r.b)-r.pos < n {
		return r.fail("%v: need %d bytes, have %d", errEOF, n, len(r.b)-r.pos)
	}
	r.pos += n
	return nil
}

// u32 reads an unsigned LEB128 number of at most 32 bits.
func (r *reader) u32() (uint32, error) {
	start := r.pos
	var v uint32
	for shift := uint(0); ; shift += 7 {
		if r.pos >= len(r.b) {
			r.pos = start
			return 0, r.fail("%v in LEB128 number", errEOF)
		}
		c := r.b[r.pos]
		r.pos++
		if shift == 28 && c&0x70 != 0 {
			r.pos = start
			return 0, r.fail("integer too large for u32")
		}
		v |= uint32(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
		if shift == 28 {
			r.pos = start
			return 0, r.fail("integer representation too long")
		}
	}
}

// sleb skips a signed LEB128 number of at most bits bits and returns its
// value (sign-extended to int64).
func (r *reader) sleb(bits uint) (int64, error) {
	start := r.pos
	maxBytes := int((bits + 6) / 7)
	var v int64
	var shift uint
	for i := 0; ; i++ {
		if i >= maxBytes {
			r.pos = start
			return 0, r.fail("integer representation too long")
		}
		if r.pos >= len(r.b) {
			r.pos = start
			return 0, r.fail("%v in LEB128 number", errEOF)
		}
		c := r.b[r.pos]
		r.pos++
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, nil
		}
	}
}

// name reads a length-prefixed byte string.
func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	start := r.pos
	if err := r.skip(int(n)); err != nil {
		return "", err
	}
	return string(r.b[start:r.pos]), nil
}

// appendU32 appends v as unsigned LEB128.
func appendU32(b []byte, v uint32) []byte {
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

// appendS64 appends v as signed LEB128.
func appendS64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
