package meter

import (
	"fmt"

	"github.com/watchbox/watchbox/host/meter/internal/instr"
)

// Validate checks that wasm is well formed as far as the metering parser
// reads it: the header, every section within the bytes it claims, and
// every vector count and function body within its section. It does not
// type-check code; the engine does that.
//
// Call it before handing bytes from outside to wazero: wazero's section
// decoders allocate what a count claims before reading the elements, so a
// 244-byte module claiming four billion types makes the process die of an
// out-of-memory fatal error, which no recover catches. Validate reads the
// same bytes with allocations bounded by the input's size.
//
// An already metered module is valid: Validate reserves no names.
func Validate(wasm []byte) error {
	_, _, err := instr.Rewrite(wasm, instr.Options{
		// Names no module can use (Wasm names are UTF-8, and these are
		// not), so that a metered module is not refused as such.
		GlobalName:   "\xff.validate.fuel",
		LimitName:    "\xff.validate.limit",
		ImportModule: "\xff.validate",
		ImportName:   "\xff.refuel",
		CheckEvery:   CheckInterval,
		InitialFuel:  MaxFuel,
		InitialLimit: sliceLimit(MaxFuel),
	})
	if err != nil {
		return fmt.Errorf("malformed module: %w", err)
	}
	if err := checkCounts(wasm); err != nil {
		return err
	}
	return checkClaims(wasm)
}

// vectorSections are the sections whose content starts with a count of
// elements, each at least one byte long, by id.
var vectorSections = map[byte]string{
	1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global",
	7: "export", 9: "element", 10: "code", 11: "data",
}

// checkCounts refuses a section whose element count is larger than its
// size in bytes, including the sections the rewriter copies without
// reading (Rewrite has already checked the section headers).
func checkCounts(wasm []byte) error {
	pos := 8
	for pos < len(wasm) {
		id := wasm[pos]
		size, n := readULEB(wasm[pos+1:])
		start := pos + 1 + n
		end := start + int(size)
		if n == 0 || end > len(wasm) || end < start {
			return fmt.Errorf("malformed module: section at byte %d runs past the end", pos)
		}
		if name, ok := vectorSections[id]; ok {
			count, m := readULEB(wasm[start:end])
			if m == 0 || count > uint64(end-start-m) {
				return fmt.Errorf("malformed module: the %s section at byte %d claims %d elements in %d bytes", name, pos, count, end-start)
			}
		}
		pos = end
	}
	return nil
}

// readULEB decodes an unsigned LEB128 of at most 5 bytes, returning the value
// and the bytes read (0 when malformed).
func readULEB(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < 5 && i < len(b); i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}
