package instr

import (
	"slices"
)

// MergeGap is the largest run of zero bytes between two active data
// segments that MergeData joins: smaller than the smallest system page
// (4 KiB), so the zeros written in a gap fall on pages that the segments
// on either side write anyway, and no page of linear memory becomes
// resident that was not.
const MergeGap = 4096

// dataSegment is an active data segment of memory 0 with a constant
// offset, as mergeData reads it.
type dataSegment struct {
	off  uint32
	init []byte
}

// mergeData returns the content of a data section (content: its bytes
// after the section header) whose active segments are joined where they
// are separated by fewer than MergeGap zero bytes, and true; or false when
// it leaves the section as it is.
//
// Why: a WebAssembly runtime keeps per-instance state for each segment
// (wazero: a 24-byte slice header per segment, for memory.init and
// data.drop), and Go's linker splits its data at every run of 8 or more
// zero bytes: an apps/hello module has 37,621 segments, 0.86 MiB of every
// instance. Joined, it has one or two.
//
// It merges only when that cannot be observed: every segment is active,
// of memory 0, at an i32.const offset, not empty (an empty segment writes
// no page, and a gap measured past it could span one), and no two overlap (so their order
// does not matter, and no gap is written by another segment); there is no
// data count section (without one no instruction may name a segment:
// memory.init and data.drop need it), and the memory is the module's own
// (memImported false: whatever is outside the segments is zero at
// instantiation). A segment out of bounds still fails instantiation: the
// joined segments span the same bytes, from the lowest offset to the
// highest end.
func mergeData(content []byte, hasDataCount, memImported bool) ([]byte, bool) {
	if hasDataCount || memImported {
		return nil, false
	}
	r := &reader{b: content}
	n, err := r.u32()
	if err != nil || n < 2 {
		return nil, false
	}
	segs := make([]dataSegment, 0, n)
	for range n {
		flags, err := r.u32()
		if err != nil || flags != 0 {
			return nil, false
		}
		if op, err := r.byte(); err != nil || op != 0x41 { // i32.const
			return nil, false
		}
		off, err := r.sleb(32)
		if err != nil {
			return nil, false
		}
		if end, err := r.byte(); err != nil || end != 0x0b {
			return nil, false
		}
		size, err := r.u32()
		if err != nil {
			return nil, false
		}
		start := r.pos
		if size == 0 || r.skip(int(size)) != nil {
			return nil, false
		}
		segs = append(segs, dataSegment{off: uint32(off), init: content[start:r.pos]})
	}
	if !r.eof() {
		return nil, false
	}
	slices.SortStableFunc(segs, func(a, b dataSegment) int {
		switch {
		case a.off < b.off:
			return -1
		case a.off > b.off:
			return 1
		}
		return 0
	})
	var merged [][2]int // [first, last] indices into segs of each joined run
	for i, s := range segs {
		if i > 0 {
			prev := segs[i-1]
			end := uint64(prev.off) + uint64(len(prev.init))
			if uint64(s.off) < end {
				return nil, false // overlapping: their order matters
			}
			if uint64(s.off)-end < MergeGap {
				merged[len(merged)-1][1] = i
				continue
			}
		}
		merged = append(merged, [2]int{i, i})
	}
	if len(merged) == int(n) {
		return nil, false
	}
	out := appendU32(make([]byte, 0, len(content)+len(content)/2), uint32(len(merged)))
	for _, m := range merged {
		first, last := segs[m[0]], segs[m[1]]
		size := uint64(last.off) + uint64(len(last.init)) - uint64(first.off)
		if size > 1<<32-1 {
			return nil, false
		}
		out = append(out, 0x00, 0x41)
		out = appendS64(out, int64(int32(first.off)))
		out = append(out, 0x0b)
		out = appendU32(out, uint32(size))
		base := len(out)
		out = append(out, make([]byte, size)...)
		for _, s := range segs[m[0] : m[1]+1] {
			copy(out[base+int(s.off-first.off):], s.init)
		}
	}
	return out, true
}

// memImported reports whether the module of secs imports a memory.
func memImported(wasm []byte, secs []section) bool {
	for _, s := range secs {
		if s.id == secImport {
			return importsMemory(wasm[s.start:s.end])
		}
	}
	return false
}

// importsMemory reports whether an import section (its content) imports a
// memory.
func importsMemory(content []byte) bool {
	r := &reader{b: content}
	n, err := r.u32()
	if err != nil {
		return true // unreadable: assume the worst
	}
	for range n {
		for range 2 { // module and field names
			l, err := r.u32()
			if err != nil || r.skip(int(l)) != nil {
				return true
			}
		}
		kind, err := r.byte()
		if err != nil {
			return true
		}
		switch kind {
		case 0x00: // func: type index
			_, err = r.u32()
		case 0x01: // table: reftype, limits
			if _, err = r.byte(); err == nil {
				err = skipLimits(r)
			}
		case 0x02:
			return true
		case 0x03: // global: valtype, mut
			if err = skipValType(r); err == nil {
				_, err = r.byte()
			}
		case 0x04: // tag: attribute, type index
			if _, err = r.byte(); err == nil {
				_, err = r.u32()
			}
		default:
			return true
		}
		if err != nil {
			return true
		}
	}
	return false
}
