package meter

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/watchbox/watchbox/host/meter/internal/instr"
)

// CoverModule and CoverFunc name the function InstrumentCoverage's output
// imports, of type [i32] -> []: each coverage site calls it with its id.
// NewCoverage provides it.
const (
	CoverModule = "watchbox_cover"
	CoverFunc   = "hit"
)

// CoverMapSize is the size of a coverage map: one 8-bit counter per edge
// id, ids being 16-bit (AFL's map size).
const CoverMapSize = instr.CoverSites

// coverWasm is the module that owns the map. Its one function is the
// AFL edge shim on a 64 KiB memory of its own:
//
//	(module
//	  (memory (export "map") 1 1)
//	  (global $prev (export "prev") (mut i32) (i32.const 0))
//	  (func (export "hit") (param $cur i32) (local $a i32) (local $v i32)
//	    ;; map[cur ^ prev] += (map[cur ^ prev] != 255)   (saturating)
//	    (i32.store8 (local.tee $a (i32.xor (local.get $cur) (global.get $prev)))
//	      (i32.add (local.tee $v (i32.load8_u (local.get $a)))
//	               (i32.ne (local.get $v) (i32.const 255))))
//	    ;; prev = cur >> 1, so that A->B and B->A are different edges
//	    (global.set $prev (i32.shr_u (local.get $cur) (i32.const 1)))))
//
// See RATIONALE.md ("Where coverage counters live") for why the map is not
// in the guest's memory.
var coverWasm = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, // type: [i32] -> []
	0x03, 0x02, 0x01, 0x00, // function: 1 of type 0
	0x05, 0x04, 0x01, 0x01, 0x01, 0x01, // memory: min 1 max 1
	0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, // global: mut i32 = 0
	0x07, 0x14, 0x03, // export: 3 entries
	0x03, 'h', 'i', 't', 0x00, 0x00,
	0x03, 'm', 'a', 'p', 0x02, 0x00,
	0x04, 'p', 'r', 'e', 'v', 0x03, 0x00,
	0x0a, 0x25, 0x01, 0x23, // code: 1 body of 35 bytes
	0x01, 0x02, 0x7f, // 2 i32 locals
	0x20, 0x00, 0x23, 0x00, 0x73, 0x22, 0x01, // local.get cur; global.get prev; i32.xor; local.tee a
	0x20, 0x01, 0x2d, 0x00, 0x00, 0x22, 0x02, // local.get a; i32.load8_u; local.tee v
	0x20, 0x02, 0x41, 0xff, 0x01, 0x47, 0x6a, // local.get v; i32.const 255; i32.ne; i32.add
	0x3a, 0x00, 0x00, // i32.store8
	0x20, 0x00, 0x41, 0x01, 0x76, 0x24, 0x00, // local.get cur; i32.const 1; i32.shr_u; global.set prev
	0x0b,
}

// Coverage is the edge map of one instrumented instance: the memory of
// the CoverModule instance that its coverage calls fill. The host owns it;
// the guest cannot address it.
type Coverage struct {
	mod  api.Module
	mem  api.Memory
	prev api.MutableGlobal
	view []byte
}

// NewCoverage instantiates CoverModule in r, for the InstrumentCoverage
// output instantiated in r afterwards. A runtime holds one: the map is
// shared by every module of r that imports it, so give each instance that
// is fuzzed its own runtime.
func NewCoverage(ctx context.Context, r wazero.Runtime) (*Coverage, error) {
	mod, err := r.InstantiateWithConfig(ctx, coverWasm, wazero.NewModuleConfig().WithName(CoverModule).WithStartFunctions())
	if err != nil {
		return nil, fmt.Errorf("meter: instantiating the coverage module %q: %w", CoverModule, err)
	}
	c := &Coverage{mod: mod, mem: mod.ExportedMemory("map"), prev: mod.ExportedGlobal("prev").(api.MutableGlobal)}
	var ok bool
	if c.view, ok = c.mem.Read(0, CoverMapSize); !ok {
		return nil, fmt.Errorf("meter: the coverage map is smaller than %d bytes", CoverMapSize)
	}
	return c, nil
}

// Map returns the map, CoverMapSize 8-bit saturating hit counters indexed
// by edge id (site id ^ previous site id >> 1). It is a view: it changes as
// the guest runs and is valid until the runtime closes.
func (c *Coverage) Map() []byte { return c.view }

// Reset zeroes the map and forgets the previous site, before a run.
func (c *Coverage) Reset() {
	clear(c.view)
	c.prev.Set(0)
}
