package meter

import (
	"fmt"
	"unicode/utf8"
)

// MaxTableElements is the most elements a table may start with, declared
// or imported: wazero allocates a table's initial elements when the
// module is instantiated (eight bytes each, outside the app's
// memoryLimit), up to its own limit of 2^27 (1 GiB). A Go app's table
// holds a few thousand functions. Chosen here: 2^20 (8 MiB).
const MaxTableElements = 1 << 20

// claims walks the sections whose contents wazero decodes by allocating
// what a length or count claims before reading it (data segments' bytes,
// element segments' vectors, function types' parameters and results,
// every name, the name section's maps) and refuses any claim larger than
// the bytes left in its section; it also caps the tables' initial sizes.
type claims struct {
	b        []byte
	pos, end int
	what     string
	at       int // the section's offset, for errors
}

// errClaim is a malformed module found by claims.
type errClaim struct{ msg string }

func (e *errClaim) Error() string { return e.msg }

func (c *claims) fail(format string, args ...any) {
	panic(&errClaim{fmt.Sprintf("malformed module: the %s section at byte %d: ", c.what, c.at) + fmt.Sprintf(format, args...)})
}

func (c *claims) byte1() byte {
	if c.pos >= c.end {
		c.fail("ends early")
	}
	v := c.b[c.pos]
	c.pos++
	return v
}

// u32 reads an unsigned LEB128 of at most 5 bytes.
func (c *claims) u32() uint64 {
	v, n := readULEB(c.b[c.pos:c.end])
	if n == 0 {
		c.fail("a malformed number at byte %d", c.pos)
	}
	c.pos += n
	return v
}

// sleb skips a signed LEB128 of at most max bytes.
func (c *claims) sleb(max int) {
	for i := 0; i < max; i++ {
		if c.byte1()&0x80 == 0 {
			return
		}
	}
	c.fail("a malformed number at byte %d", c.pos)
}

// count reads a vector's count of elements at least min bytes each, and
// refuses one that cannot fit in what is left of the section.
func (c *claims) count(what string, min int) uint64 {
	at := c.pos
	n := c.u32()
	if left := uint64(c.end - c.pos); n*uint64(min) > left {
		c.fail("%s at byte %d claims %d elements in the %d bytes left", what, at, n, left)
	}
	return n
}

// skip skips n bytes, refusing a length past the section's end.
func (c *claims) skip(what string, n uint64) {
	if left := uint64(c.end - c.pos); n > left {
		c.fail("%s at byte %d claims %d bytes, %d are left", what, c.pos, n, left)
	}
	c.pos += int(n)
}

// bytes skips a length-prefixed byte vector.
func (c *claims) bytes(what string) []byte {
	at := c.pos
	n := c.u32()
	if left := uint64(c.end - c.pos); n > left {
		c.fail("%s at byte %d claims %d bytes, %d are left", what, at, n, left)
	}
	s := c.b[c.pos : c.pos+int(n)]
	c.pos += int(n)
	return s
}

func (c *claims) name(what string) {
	if s := c.bytes(what); !utf8.Valid(s) {
		c.fail("%s is not valid UTF-8", what)
	}
}

// limits reads a table's or memory's limits; for a table, it caps the
// initial size.
func (c *claims) limits(table bool) {
	flags := c.byte1()
	min := c.u32()
	if flags&1 != 0 {
		c.u32()
	}
	if table && min > MaxTableElements {
		c.fail("a table starts with %d elements, more than the %d watchbox allows (each costs host memory outside the app's memoryLimit)", min, MaxTableElements)
	}
}

// expr skips a constant expression up to its end.
func (c *claims) expr() {
	for {
		switch op := c.byte1(); op {
		case 0x0b: // end
			return
		case 0x41: // i32.const
			c.sleb(5)
		case 0x42: // i64.const
			c.sleb(10)
		case 0x43:
			c.skip("an f32.const", 4)
		case 0x44:
			c.skip("an f64.const", 8)
		case 0x23, 0xd2: // global.get, ref.func
			c.u32()
		case 0xd0: // ref.null
			c.byte1()
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // extended constant arithmetic
		case 0xfd: // v128.const
			c.u32()
			c.skip("a v128.const", 16)
		default:
			c.fail("opcode 0x%02x at byte %d is not allowed in a constant expression", op, c.pos-1)
		}
	}
}

func (c *claims) section(id byte) {
	switch id {
	case 0:
		name := c.bytes("the custom section's name")
		if string(name) == "name" {
			c.names()
		}
	case 1: // types
		for n := c.count("the type vector", 3); n > 0; n-- {
			if form := c.byte1(); form != 0x60 {
				c.fail("a function type starts with 0x%02x, not 0x60", form)
			}
			c.skip("a parameter list", c.count("a parameter list", 1))
			c.skip("a result list", c.count("a result list", 1))
		}
	case 2: // imports
		for n := c.count("the import vector", 4); n > 0; n-- {
			c.name("an import's module name")
			c.name("an import's name")
			switch kind := c.byte1(); kind {
			case 0:
				c.u32()
			case 1:
				c.byte1()
				c.limits(true)
			case 2:
				c.limits(false)
			case 3:
				c.byte1()
				c.byte1()
			case 4: // tag
				c.byte1()
				c.u32()
			default:
				c.fail("an import of unknown kind 0x%02x", kind)
			}
		}
	case 4: // tables
		for n := c.count("the table vector", 3); n > 0; n-- {
			c.byte1()
			c.limits(true)
		}
	case 7: // exports
		for n := c.count("the export vector", 3); n > 0; n-- {
			c.name("an export's name")
			c.byte1()
			c.u32()
		}
	case 9: // elements
		for n := c.count("the element vector", 2); n > 0; n-- {
			flags := c.u32()
			if flags > 7 {
				c.fail("an element segment of unknown kind %d", flags)
			}
			if flags&3 == 2 { // an explicit table index
				c.u32()
			}
			if flags&1 == 0 { // active: an offset
				c.expr()
			}
			if flags&3 != 0 { // an element kind or a reference type
				c.byte1()
			}
			items := c.count("an element segment's vector", 1)
			for ; items > 0; items-- {
				if flags&4 != 0 {
					c.expr()
				} else {
					c.u32()
				}
			}
		}
	case 11: // data
		for n := c.count("the data vector", 2); n > 0; n-- {
			switch flags := c.u32(); flags {
			case 0:
				c.expr()
			case 1:
			case 2:
				c.u32()
				c.expr()
			default:
				c.fail("a data segment of unknown kind %d", flags)
			}
			c.bytes("a data segment")
		}
	}
}

// names walks the name section: its subsections, and the function and
// local name maps, whose counts wazero allocates ahead.
func (c *claims) names() {
	for c.pos < c.end {
		id := c.byte1()
		size := c.u32()
		start := c.pos
		c.skip("a name subsection", size)
		end := c.pos
		c.pos = start
		outer := c.end
		c.end = end
		switch id {
		case 0:
			c.name("the module name")
		case 1:
			for n := c.count("the function name map", 2); n > 0; n-- {
				c.u32()
				c.name("a function name")
			}
		case 2:
			for n := c.count("the local name map", 2); n > 0; n-- {
				c.u32()
				for m := c.count("a function's local names", 2); m > 0; m-- {
					c.u32()
					c.name("a local name")
				}
			}
		}
		c.pos, c.end = end, outer
	}
}

// checkClaims runs claims over every section of wasm, whose section
// headers checkCounts has checked.
func checkClaims(wasm []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*errClaim)
			if !ok {
				panic(r)
			}
			err = e
		}
	}()
	pos := 8
	for pos < len(wasm) {
		id := wasm[pos]
		size, n := readULEB(wasm[pos+1:])
		start := pos + 1 + n
		end := start + int(size)
		c := &claims{b: wasm, pos: start, end: end, at: pos, what: sectionName(id)}
		c.section(id)
		pos = end
	}
	return nil
}

func sectionName(id byte) string {
	if id == 0 {
		return "custom"
	}
	if name, ok := vectorSections[id]; ok {
		return name
	}
	return fmt.Sprintf("id %d", id)
}
