package bundle

import (
	"fmt"
	"strconv"
	"strings"
)

// Size is a number of bytes, written in manifests as a plain byte count
// ("1048576" or the JSON number 1048576) or as an integer with a binary unit:
// "512KiB", "64MiB", "1GiB", "100B".
type Size uint64

// Binary size units.
const (
	Byte Size = 1
	KiB       = 1024 * Byte
	MiB       = 1024 * KiB
	GiB       = 1024 * MiB
)

// WasmPage is the size of a WebAssembly memory page.
const WasmPage = 64 * KiB

var sizeUnits = []struct {
	name string
	size Size
}{{"GiB", GiB}, {"MiB", MiB}, {"KiB", KiB}, {"B", Byte}}

// ParseSize parses a size: digits, optionally followed by one of the units
// B, KiB, MiB or GiB (binary: 1KiB = 1024 bytes). Decimal units such as "MB"
// are rejected rather than guessed.
func ParseSize(s string) (Size, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	num, unit := s[:i], s[i:]
	if num == "" {
		return 0, fmt.Errorf("%q is not a size; write a byte count or an integer with a unit B, KiB, MiB or GiB, e.g. \"64MiB\"", s)
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", s)
	}
	mult := Size(0)
	if unit == "" {
		mult = Byte
	}
	for _, u := range sizeUnits {
		if unit == u.name {
			mult = u.size
		}
	}
	if mult == 0 {
		return 0, fmt.Errorf("%q has unit %q; use B, KiB, MiB or GiB (binary units: 1MiB = 1048576 bytes)", s, unit)
	}
	if n > uint64(^Size(0)/mult) {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return Size(n) * mult, nil
}

// String formats s with the largest unit that divides it exactly, e.g. "64MiB",
// "1536KiB" or "100B"; ParseSize reads it back.
func (s Size) String() string {
	for _, u := range sizeUnits {
		if s != 0 && s%u.size == 0 {
			return strconv.FormatUint(uint64(s/u.size), 10) + u.name
		}
	}
	return "0B"
}

// MarshalText implements [encoding.TextMarshaler] using [Size.String].
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] using [ParseSize], so a
// Size can be a flag (flag.TextVar).
func (s *Size) UnmarshalText(text []byte) error {
	v, err := ParseSize(strings.TrimSpace(string(text)))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Pages is the number of whole 64KiB WebAssembly pages in s, rounded down.
func (s Size) Pages() uint32 { return uint32(s / WasmPage) }
