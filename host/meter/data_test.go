package meter

import (
	"bytes"
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
)

// dataSeg is an active data segment of memory 0 for dataModule: at an
// i32.const offset, or at global.get 0 when global is set.
type dataSeg struct {
	off    uint32
	init   string
	global bool
}

// dataModule builds a module with a memory of one page (exported as
// "memory", or imported from env when imported), an imported global env.g
// if a segment is at global.get 0, no function, and segs,
// with a data count section when dataCount.
func dataModule(segs []dataSeg, dataCount, imported bool) []byte {
	var ds [][]byte
	global := false
	for _, s := range segs {
		global = global || s.global
		off := cat([]byte{0x41}, sleb32(int32(s.off)), []byte{0x0b})
		if s.global {
			off = []byte{0x23, 0x00, 0x0b}
		}
		ds = append(ds, cat([]byte{0x00}, off, str(s.init)))
	}
	m := []byte("\x00asm\x01\x00\x00\x00")
	var imps [][]byte
	if imported {
		imps = append(imps, cat(str("env"), str("memory"), []byte{0x02, 0x00, 0x01}))
	}
	if global {
		imps = append(imps, cat(str("env"), str("g"), []byte{0x03, 0x7f, 0x00}))
	}
	if len(imps) > 0 {
		m = append(m, section(2, vec(imps...))...)
	}
	if !imported {
		m = append(m, section(5, vec([]byte{0x00, 0x01}))...)
		m = append(m, section(7, vec(cat(str("memory"), []byte{0x02, 0x00})))...)
	}
	if dataCount {
		m = append(m, section(12, uleb(uint32(len(segs))))...)
	}
	return append(m, section(11, vec(ds...))...)
}

// dataSegments returns the segment count of wasm's data section.
func dataSegments(t *testing.T, wasm []byte) int {
	t.Helper()
	pos := 8
	for pos < len(wasm) {
		id := wasm[pos]
		size, n := readULEB(wasm[pos+1:])
		start := pos + 1 + n
		if id == 11 {
			count, _ := readULEB(wasm[start:])
			return int(count)
		}
		pos = start + int(size)
	}
	t.Fatal("no data section")
	return 0
}

// instanceMemory instantiates wasm and returns
// its memory's bytes, or the instantiation's error.
func instanceMemory(t *testing.T, wasm []byte) ([]byte, error) {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	mod, err := r.Instantiate(ctx, wasm)
	if err != nil {
		return nil, err
	}
	mem := mod.Memory()
	b, _ := mem.Read(0, mem.Size())
	return bytes.Clone(b), nil
}

// TestMergeData: the instrumenter joins active data segments that fewer
// than 4 KiB of zeros separate, in any order, and the instance's memory
// is the same; it leaves alone a data section where joining could be
// observed.
func TestMergeData(t *testing.T) {
	merged := []dataSeg{{100, "ab", false}, {40, "xy", false}, {200, "cd", false}, {5000, "ef", false}, {5002, "gh", false}}
	for _, tc := range []struct {
		name      string
		segs      []dataSeg
		dataCount bool
		imported  bool
		want      int // segments after
	}{
		{"joined, a gap of 4 KiB or more kept", merged, false, false, 2},
		{"overlapping", []dataSeg{{100, "abcd", false}, {102, "zz", false}}, false, false, 2},
		{"a data count section", merged, true, false, 5},
		{"an imported memory", merged, false, true, 5},
		{"an offset that is not a constant", []dataSeg{{100, "ab", false}, {0, "cd", true}}, false, false, 2},
		{"an empty segment", []dataSeg{{100, "ab", false}, {200, "", false}, {300, "cd", false}}, false, false, 3},
		{"one segment", []dataSeg{{100, "ab", false}}, false, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wasm := dataModule(tc.segs, tc.dataCount, tc.imported)
			out, err := Instrument(wasm, Strict)
			if err != nil {
				t.Fatal(err)
			}
			if got := dataSegments(t, out); got != tc.want {
				t.Errorf("%d data segments after, want %d", got, tc.want)
			}
			if tc.imported || tc.segs[len(tc.segs)-1].global {
				return // no env to instantiate with
			}
			before, err1 := instanceMemory(t, wasm)
			after, err2 := instanceMemory(t, out)
			if err1 != nil || err2 != nil {
				t.Fatalf("instantiating: before %v, after %v", err1, err2)
			}
			if !bytes.Equal(before, after) {
				t.Error("the instance's memory differs after joining the data segments")
			}
		})
	}
}

// TestMergeDataOutOfBounds: a module whose segment runs past its memory
// still fails to instantiate once its segments are joined.
func TestMergeDataOutOfBounds(t *testing.T) {
	wasm := dataModule([]dataSeg{{100, "ab", false}, {65535, "cd", false}}, false, false)
	out, err := Instrument(wasm, Strict)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := instanceMemory(t, wasm); err == nil {
		t.Fatal("the original instantiated")
	}
	if _, err := instanceMemory(t, out); err == nil {
		t.Error("the joined module instantiated; its segment runs past the memory")
	}
}
