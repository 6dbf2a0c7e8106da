package instr

import (
	"errors"
	"fmt"
	mbits "math/bits"
)

// Segment kinds. A segment is a straight-line run of code that is entered
// only at its start and left only at its end (or by a trap); its whole cost is
// charged at its start.
const (
	segPlain     uint8 = iota // after if/else/br_if/end of a branch target: charge only
	segEntry                  // function entry: charge and check
	segLoop                   // loop header: charge and check if the loop has a back edge
	segAfterCall              // after a call returns: charge and check
)

type seg struct {
	pos     int   // byte offset in the body where the charge goes
	cost    int64 // static cost of the segment
	kind    uint8
	forced  bool  // checked because CheckEvery was reached
	loopID  int32 // for segLoop: index into walker.loopTargeted
	depth   int32 // nesting depth at pos: the label index of the trap block
	checked bool  // resolved in pass 2
	retry   bool  // for segLoop: the loop has no parameters, so its slow path can branch back to the header
}

// Event kinds, in body order. Events at the same offset are emitted in the
// order scan appends them, which is always: segment charge, then dynamic
// charge or sync for the operator starting there.
const (
	evSeg  uint8 = iota // segment charge; arg = index into segs
	evDyn               // size-proportional charge; arg = shift
	evSync              // local mode: store the fuel local to the global
	evFunc              // a function index immediate to renumber; arg = its encoded length
)

type event struct {
	pos   int
	kind  uint8
	arg   int32
	depth int32 // for evDyn: the label index of the trap block
}

const (
	frBlock uint8 = iota
	frLoop
	frIf
	frTry      // legacy try/catch
	frTryTable // try_table
	frFunc
)

type frame struct {
	kind         uint8
	dead         bool // opened in unreachable code
	targeted     bool // some reachable branch targets its label
	hasElse      bool
	armReachable bool  // the end of an earlier arm (then / try body / catch) was reachable
	loopID       int32 // for loops
}

type walker struct {
	opt          Options
	rm           remap  // function renumbering for call, return_call, ref.func
	slowFunc     uint32 // the imported slow-path function, if opt.ImportModule is set
	cover        bool   // insert coverage calls (opt.CoverModule, and the module defines functions)
	coverFn      bool   // insert them in the function being rewritten (opt.CoverOnly)
	coverFunc    uint32 // the imported coverage function: slowFunc+1
	fn           uint32 // the index (in the input) of the function being rewritten
	nsites       int    // coverage calls inserted in the function
	tableWrites  int    // operators writing a table, in every function so far
	types        uint32 // the number of types of the input
	fuel, limit  uint32
	local        bool   // fuel kept in a local (no exception handling in the body)
	eh           bool   // scan decoded an exception-handling operator
	fuelLocal    uint32 // index of the i64 fuel local in local mode
	scratch      uint32 // index of the i32 scratch local for dynamic charges
	ndyn         int
	hasCall      bool // the body calls (so it can recurse)
	segs         []seg
	events       []event
	frames       []frame
	loopTargeted []bool
	// Which locals each loop writes, for the loop-header slow paths: the
	// numeric type (0-3, or -1) of every local when track is set, one
	// bitset of words words per loop, and the loops open at the scan's
	// position, innermost last.
	ptypes      []byte // the function's parameter types (funcType.ptypes)
	ltypes      []int8
	track       bool
	words       int
	loopBits    []uint64
	openLoops   []int32
	saveList    []uint32 // the locals the slow path being emitted saves
	scratchBase uint32   // index of the first scratch global
	scratchRows int      // rows of four scratch globals used so far
	out         []byte
}

// EntryCost is charged once per function invocation, at entry.
const EntryCost = 1

// MaxLocals is the most locals (parameters included) a function may
// declare: the WebAssembly JS API's implementation limit (50,000, which
// wasmparser and the browsers enforce). The binary format allows 2^32, and
// wazero's decoder allocates what a body declares before reading it, so a
// ten-byte body declaring four billion locals made it allocate 4 GiB.
const MaxLocals = 50000

// Cost returns the static (wasmtime default) cost of an operator given its
// first byte: 0 for nop, drop, block, loop, end, else, return and
// unreachable, 1 for everything else.
func Cost(op byte) int64 {
	switch op {
	case 0x00, 0x01, 0x02, 0x03, 0x05, 0x0b, 0x0f, 0x1a:
		return 0
	}
	return 1
}

func rewriteCode(mod []byte, start int, types []funcType, bodyBT [][]byte, funcTypes []uint32, importedFuncs, fuel uint32, rm remap, opt Options, st *Stats) ([]byte, error) {
	r := &reader{b: mod, pos: start}
	n, err := r.u32()
	if err != nil {
		return nil, wrap("code", err)
	}
	if int(n) != len(funcTypes) {
		return nil, &Error{Section: "code", Offset: start, Func: -1, Msg: fmt.Sprintf("code section has %d bodies but the function section declares %d functions", n, len(funcTypes))}
	}
	out := make([]byte, 0, len(mod)-start+len(mod)/4)
	out = appendU32(out, n)
	w := &walker{opt: opt, rm: rm, slowFunc: importedFuncs, types: uint32(len(types)), fuel: fuel, limit: fuel + 1,
		cover: opt.CoverModule != "" && rm.on, coverFunc: importedFuncs + 1, scratchBase: fuel + 2}
	if opt.ExportGlobals {
		w.scratchBase++ // after the tables-static global
	}
	for i := uint32(0); i < n; i++ {
		size, err := r.u32()
		if err != nil {
			return nil, wrap("code", err)
		}
		bodyStart := r.pos
		if err := r.skip(int(size)); err != nil {
			return nil, &Error{Section: "code", Offset: bodyStart, Func: int(importedFuncs + i), Msg: fmt.Sprintf("body size %d runs past the end of the section", size)}
		}
		ti := funcTypes[i]
		if int(ti) >= len(types) || !types[ti].isFunc {
			return nil, &Error{Section: "function", Offset: 0, Func: int(importedFuncs + i), Msg: fmt.Sprintf("type index %d is not a function type (%d types)", ti, len(types))}
		}
		w.fn = importedFuncs + i
		w.ptypes = types[ti].ptypes
		w.track = types[ti].params <= maxTracked
		w.coverFn = w.cover
		if w.cover && opt.CoverOnly != nil {
			if nm, ok := opt.coverNames[w.fn]; ok {
				w.coverFn = opt.CoverOnly(nm)
			}
		}
		bodyOut, unchecked, err := w.rewrite(mod[:r.pos], bodyStart, types[ti].params, bodyBT[ti])
		if err != nil {
			var de *decodeErr
			if errors.As(err, &de) {
				return nil, &Error{Section: "code", Offset: de.off, Func: int(importedFuncs + i), Msg: de.msg}
			}
			return nil, err
		}
		if unchecked > st.MaxUnchecked {
			st.MaxUnchecked = unchecked
		}
		st.Functions++
		if !w.local {
			st.GlobalMode++
		}
		for _, s := range w.segs {
			if s.cost != 0 || s.checked {
				st.Charges++
				if s.checked {
					st.Checks++
				}
			}
		}
		st.DynamicCharges += w.ndyn
		st.CoverSites += w.nsites
		out = appendU32(out, uint32(len(bodyOut)))
		out = append(out, bodyOut...)
	}
	if r.pos != len(mod) {
		return nil, &Error{Section: "code", Offset: r.pos, Func: -1, Msg: fmt.Sprintf("%d trailing bytes after the last function body", len(mod)-r.pos)}
	}
	st.TableWrites = w.tableWrites
	st.ScratchGlobals = 4 * w.scratchRows
	return out, nil
}

// rewrite instruments one function body b[start:]. It returns the new body
// (valid until the next call) and the sum of its unchecked charges.
func (w *walker) rewrite(b []byte, start int, nparams uint32, bt []byte) ([]byte, int64, error) {
	r := &reader{b: b, pos: start, types: w.types, checkTypes: true}
	ndecl, err := r.u32()
	if err != nil {
		return nil, 0, err
	}
	declStart := r.pos
	total := uint64(nparams)
	w.ltypes = w.ltypes[:0]
	if w.track {
		for _, c := range w.ptypes {
			w.ltypes = append(w.ltypes, int8(numType(c)))
		}
	}
	for i := uint32(0); i < ndecl; i++ {
		c, err := r.u32()
		if err != nil {
			return nil, 0, err
		}
		total += uint64(c)
		if total > MaxLocals {
			return nil, 0, r.fail("too many locals: more than %d", MaxLocals)
		}
		if total > maxTracked {
			w.track = false
		}
		t := int8(-1)
		if !r.eof() {
			t = int8(numType(r.b[r.pos]))
		}
		if err := skipValType(r); err != nil {
			return nil, 0, err
		}
		if w.track {
			for j := uint32(0); j < c; j++ {
				w.ltypes = append(w.ltypes, t)
			}
		}
	}
	w.words = 0
	if w.track {
		w.words = (len(w.ltypes) + 63) / 64
	}
	codeStart := r.pos
	w.fuelLocal = uint32(total)
	if err := w.scan(r); err != nil {
		return nil, 0, err
	}
	// The mode is decided from the operators scan decoded, not from the
	// bytes: immediates and indices often hold the bytes of
	// exception-handling opcodes. A body with such an operator keeps the
	// counter in the global, because an exception that unwinds into a catch
	// would skip the reload after the call that threw.
	w.local = !w.opt.NoLocal && !w.eh
	w.scratch = uint32(total)
	if w.local {
		w.scratch++
	}

	// Pass 2: resolve which charges check, then copy with charges spliced in.
	var unchecked int64
	for i := range w.segs {
		s := &w.segs[i]
		switch s.kind {
		case segEntry:
			// A body without calls and loops runs a bounded amount of code
			// and returns to a post-call check (or to the host, which reads
			// the counter): its entry needs no compare.
			s.checked = w.hasCall || anyTrue(w.loopTargeted)
		case segAfterCall:
			s.checked = true
		case segLoop:
			s.checked = w.loopTargeted[s.loopID]
		}
		if s.forced {
			s.checked = true
		}
		if !s.checked {
			unchecked += s.cost
		}
	}
	out := w.out[:0]
	extra := uint32(0)
	if w.local {
		extra++
	}
	if w.ndyn > 0 {
		extra++
	}
	out = appendU32(out, ndecl+extra)
	out = append(out, b[declStart:codeStart]...)
	if w.local {
		out = append(out, 0x01, 0x7e) // the i64 fuel local
	}
	if w.ndyn > 0 {
		out = append(out, 0x01, 0x7f) // the i32 scratch local
	}
	last := codeStart
	w.nsites = 0
	for _, e := range w.events {
		out = append(out, b[last:e.pos]...)
		last = e.pos
		switch e.kind {
		case evSeg:
			s := &w.segs[e.arg]
			if s.kind == segEntry || s.kind == segAfterCall {
				out = w.appendLoad(out)
			}
			if s.cost != 0 || s.checked {
				retry := int64(-1)
				if s.kind == segLoop && s.retry && s.checked && w.opt.ImportModule != "" {
					retry = s.cost
					w.chooseSaved(s.loopID)
				}
				out = w.appendCharge(out, s.cost, s.checked, retry)
			}
			// A coverage site at every segment start but the return from
			// a call (not a branch target) and the one closing the body.
			if w.coverFn && s.kind != segAfterCall && e.pos < len(b) {
				out = w.appendCover(out)
			}
		case evDyn:
			out = w.appendDynamic(out, int8(e.arg), e.depth)
		case evSync:
			out = w.appendStore(out)
		case evFunc:
			fr := &reader{b: b, pos: e.pos}
			idx, _ := fr.u32() // decoded by scan
			out = appendU32(out, w.rm.fn(idx))
			last = e.pos + int(e.arg)
		}
	}
	out = append(out, b[last:]...)
	w.out = out
	return out, unchecked, nil
}

// appendCover calls the coverage import with the next site's id. The id
// depends only on the function's index and the site's ordinal in it, so the
// same module always gets the same ids (corpora stay valid across runs).
// The call is not charged and needs no fuel sync: the coverage function
// is the host's and never touches the fuel.
func (w *walker) appendCover(out []byte) []byte {
	id := SiteID(w.fn, uint32(w.nsites))
	w.nsites++
	out = append(out, 0x41) // i32.const id
	out = appendS64(out, int64(id))
	out = append(out, 0x10) // call $cover
	return appendU32(out, w.coverFunc)
}

// SiteID is the coverage id of the n-th site of function fn (an index in
// the input module): a hash, so that ids spread over [0, CoverSites).
func SiteID(fn, n uint32) uint32 {
	x := uint64(fn)<<32 | uint64(n)
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return uint32(x) % CoverSites
}

func anyTrue(bs []bool) bool {
	for _, b := range bs {
		if b {
			return true
		}
	}
	return false
}

// appendLoad loads the fuel global into the fuel local (local mode).
func (w *walker) appendLoad(out []byte) []byte {
	if !w.local {
		return out
	}
	out = append(out, 0x23) // global.get fuel
	out = appendU32(out, w.fuel)
	out = append(out, 0x21) // local.set f
	return appendU32(out, w.fuelLocal)
}

// appendStore stores the fuel local to the fuel global (local mode).
func (w *walker) appendStore(out []byte) []byte {
	if !w.local {
		return out
	}
	out = append(out, 0x20) // local.get f
	out = appendU32(out, w.fuelLocal)
	out = append(out, 0x24) // global.set fuel
	return appendU32(out, w.fuel)
}

// appendGetFuel pushes the current fuel.
func (w *walker) appendGetFuel(out []byte) []byte {
	if w.local {
		out = append(out, 0x20) // local.get f
		return appendU32(out, w.fuelLocal)
	}
	out = append(out, 0x23) // global.get fuel
	return appendU32(out, w.fuel)
}

// appendSetFuel pops the new fuel; with check it also leaves it on the stack.
func (w *walker) appendSetFuel(out []byte, tee bool) []byte {
	if w.local {
		if tee {
			out = append(out, 0x22) // local.tee f
		} else {
			out = append(out, 0x21) // local.set f
		}
		return appendU32(out, w.fuelLocal)
	}
	out = append(out, 0x24) // global.set fuel
	out = appendU32(out, w.fuel)
	if tee {
		out = append(out, 0x23) // global.get fuel (the engine reuses the value just stored)
		out = appendU32(out, w.fuel)
	}
	return out
}

// appendCharge subtracts cost from the fuel and, if checked, checks it.
// retry is -1, or for a loop header the cost to give back before the slow
// path branches back to the header (see appendCheck).
func (w *walker) appendCharge(out []byte, cost int64, checked bool, retry int64) []byte {
	if cost == 0 {
		if checked {
			out = w.appendGetFuel(out)
			out = w.appendCheck(out, retry)
		}
		return out
	}
	out = w.appendGetFuel(out)
	out = append(out, 0x42) // i64.const cost
	out = appendS64(out, cost)
	out = append(out, 0x7d) // i64.sub
	out = w.appendSetFuel(out, checked)
	if checked {
		out = w.appendCheck(out, retry)
	}
	return out
}

// appendCheck pops the fuel and, if it is below the limit global, takes
// the slow path:
//
//	global.get limit; i64.ge_s; if; else; [store fuel]; call $slow; [load fuel]; end
//
// The imported function either traps (fuel exhausted, or the host stopped
// the call) or lowers the limit and returns, and the guest carries on:
// either way it has left compiled code for the host. Without the import
// (Options.ImportModule empty) the slow path is `unreachable`.
//
// The slow path sits in the else arm on purpose: wazero's compiler then
// fuses the compare into one conditional jump that is not taken on the hot
// path. In local mode the slow path stores the fuel local to the global
// first, so the host reads the current fuel, and reloads it after. Its
// instructions are never charged.
//
// Cost: a slow path that returns is dearer for wazero 1.12's compiler than
// one that traps. It lays the cold block out between the check and the
// code after it (one more jump on the hot path), and values live across the
// call are spilled at their definition: a loop-carried value is stored on
// every iteration. So at a loop header without parameters (retry >= 0) the
// slow path has another shape:
//
//	else; [store fuel]; (local.get i; global.set scratch)*; call $slow;
//	(global.get scratch; local.set i)*; fuel += retry; br $loop; end
//
// It saves the numeric locals the loop writes (at most MaxSaved of each
// type, saveList) to scratch globals and reloads them after the call, so
// no loop-carried value is live across the call, then gives the header's
// charge back and branches to the header, which charges it again and
// checks again (the limit is now below the fuel, or the call trapped).
// The fuel is the same at every point as with the join: only the slow
// path's own instructions, which are never charged, differ. Measured in
// docs/performance-metering.md ("Version 5").
func (w *walker) appendCheck(out []byte, retry int64) []byte {
	out = append(out, 0x23) // global.get limit
	out = appendU32(out, w.limit)
	out = append(out, 0x59, 0x04, 0x40, 0x05) // i64.ge_s; if; else
	out = w.appendStore(out)
	if w.opt.ImportModule == "" {
		return append(out, 0x00, 0x0b) // unreachable; end
	}
	if retry < 0 {
		out = append(out, 0x10) // call $slow
		out = appendU32(out, w.slowFunc)
		out = w.appendLoad(out)
		return append(out, 0x0b) // end
	}
	var k [4]uint32
	for _, i := range w.saveList {
		t := w.ltypes[i]
		out = append(out, 0x20) // local.get i
		out = appendU32(out, i)
		out = append(out, 0x24) // global.set scratch
		out = appendU32(out, w.scratchGlobal(t, k[t]))
		k[t]++
	}
	out = append(out, 0x10) // call $slow
	out = appendU32(out, w.slowFunc)
	k = [4]uint32{}
	for _, i := range w.saveList {
		t := w.ltypes[i]
		out = append(out, 0x23) // global.get scratch
		out = appendU32(out, w.scratchGlobal(t, k[t]))
		out = append(out, 0x21) // local.set i
		out = appendU32(out, i)
		k[t]++
	}
	out = append(out, 0x23) // global.get fuel
	out = appendU32(out, w.fuel)
	if retry != 0 {
		out = append(out, 0x42) // i64.const retry
		out = appendS64(out, retry)
		out = append(out, 0x7c) // i64.add
	}
	if w.local {
		out = append(out, 0x21) // local.set f
		out = appendU32(out, w.fuelLocal)
	} else {
		out = append(out, 0x24) // global.set fuel
		out = appendU32(out, w.fuel)
	}
	return append(out, 0x0c, 0x01, 0x0b) // br 1 (the loop); end
}

// scratchGlobal is the index of the k-th scratch global of numeric type t
// (0-3): rows of four, one global of each type.
func (w *walker) scratchGlobal(t int8, k uint32) uint32 {
	return w.scratchBase + 4*k + uint32(t)
}

// chooseSaved sets saveList to the numeric locals that loop writes, or
// empties it if the loop writes more than MaxSaved of one type (those are
// then left live across the call), and reserves the scratch globals.
func (w *walker) chooseSaved(loop int32) {
	w.saveList = w.saveList[:0]
	if !w.track {
		return
	}
	var cnt [4]int
	rows := 0
	bits := w.loopBits[int(loop)*w.words : int(loop+1)*w.words]
	for wi, word := range bits {
		for word != 0 {
			i := uint32(wi*64 + mbits.TrailingZeros64(word))
			word &= word - 1
			t := w.ltypes[i]
			if t < 0 {
				continue
			}
			if cnt[t]++; cnt[t] > MaxSaved {
				w.saveList = w.saveList[:0]
				return
			}
			rows = max(rows, cnt[t])
			w.saveList = append(w.saveList, i)
		}
	}
	w.scratchRows = max(w.scratchRows, rows)
}

func (w *walker) appendDynamic(out []byte, shift int8, depth int32) []byte {
	out = append(out, 0x22) // local.tee scratch (the size operand stays on the stack)
	out = appendU32(out, w.scratch)
	out = w.appendGetFuel(out)
	out = append(out, 0x20) // local.get scratch
	out = appendU32(out, w.scratch)
	out = append(out, 0xad) // i64.extend_i32_u
	switch {
	case shift > 0:
		out = append(out, 0x42, byte(shift), 0x86) // i64.const shift; i64.shl
	case shift < 0:
		out = append(out, 0x42, byte(-shift), 0x88) // i64.const -shift; i64.shr_u
	}
	out = append(out, 0x7d) // i64.sub
	out = w.appendSetFuel(out, true)
	return w.appendCheck(out, -1)
}

// scan is pass 1: it walks the instructions, records segment starts with
// their costs and the dynamic-charge points, and validates the structure
// enough to never misparse.
func (w *walker) scan(r *reader) error {
	w.segs = w.segs[:0]
	w.events = w.events[:0]
	w.ndyn = 0
	w.hasCall = false
	w.eh = false
	w.frames = append(w.frames[:0], frame{kind: frFunc})
	w.loopTargeted = w.loopTargeted[:0]
	w.loopBits = w.loopBits[:0]
	w.openLoops = w.openLoops[:0]
	dead := false
	cur := -1
	var sinceCheck int64
	newSeg := func(pos int, kind uint8, loopID int32) {
		if cur >= 0 {
			s := &w.segs[cur]
			if s.kind == segPlain {
				sinceCheck += s.cost
				if w.opt.CheckEvery > 0 && sinceCheck > w.opt.CheckEvery {
					s.forced = true
					sinceCheck = 0
				}
			}
		}
		if kind != segPlain {
			sinceCheck = 0
		}
		w.segs = append(w.segs, seg{pos: pos, kind: kind, loopID: loopID, depth: int32(len(w.frames))})
		cur = len(w.segs) - 1
		w.events = append(w.events, event{pos: pos, kind: evSeg, arg: int32(cur)})
	}
	// sync stores the fuel local before an operator that leaves the function.
	// It is recorded in both modes (the mode is decided after the scan);
	// pass 2 emits nothing for it in global mode.
	sync := func(pos int) {
		if !dead {
			w.events = append(w.events, event{pos: pos, kind: evSync})
		}
	}
	exits := func(l uint32) bool { return int(l) == len(w.frames)-1 }
	kill := func() { // the rest of the current block is unreachable
		dead = true
	}
	target := func(l uint32) error {
		if int(l) >= len(w.frames) {
			return r.fail("branch depth %d exceeds nesting depth %d", l, len(w.frames)-1)
		}
		if !dead {
			f := &w.frames[len(w.frames)-1-int(l)]
			f.targeted = true
			if f.kind == frLoop {
				w.loopTargeted[f.loopID] = true
			}
		}
		return nil
	}
	newSeg(r.pos, segEntry, 0)
	// Entering a function costs 1, as in wasmtime (which charges the
	// function's implicit return).
	w.segs[cur].cost = EntryCost

	for {
		if r.eof() {
			return r.fail("function body ends without end opcode")
		}
		opStart := r.pos
		op, _ := r.byte()
		if !dead {
			w.segs[cur].cost += Cost(op)
		}
		switch op {
		case 0x06, 0x07, 0x08, 0x09, 0x0a, 0x18, 0x19, 0x1f:
			// try, catch, throw, rethrow, throw_ref, delegate, catch_all,
			// try_table (in unreachable code too: conservative).
			w.eh = true
		}
		var err error
		switch op {
		case 0x00: // unreachable
			kill()
		case 0x0f: // return
			sync(opStart)
			kill()
		case 0x01, 0x1a, 0x1b: // nop, drop, select
		case 0x02, 0x03, 0x04, 0x06: // block, loop, if, try
			// A block type of one byte in 0x40-0x7f is empty or a value
			// type: no parameters. A type index may have some.
			c, _ := r.peek()
			noParams := c >= 0x40 && c < 0x80
			if err = skipBlockType(r); err != nil {
				return err
			}
			f := frame{dead: dead}
			switch op {
			case 0x02:
				f.kind = frBlock
			case 0x03:
				f.kind = frLoop
				f.loopID = int32(len(w.loopTargeted))
				w.loopTargeted = append(w.loopTargeted, false)
				w.openLoops = append(w.openLoops, f.loopID)
				if len(w.loopBits)+w.words > maxLoopBitWords {
					// Too many loops times locals to track in bounded
					// memory: this body keeps the plain slow path.
					w.track, w.words = false, 0
				}
				for i := 0; i < w.words; i++ {
					w.loopBits = append(w.loopBits, 0)
				}
			case 0x04:
				f.kind = frIf
			case 0x06:
				f.kind = frTry
			}
			w.frames = append(w.frames, f)
			if !dead && op == 0x03 {
				newSeg(r.pos, segLoop, f.loopID)
				w.segs[cur].retry = noParams
			} else if !dead && op == 0x04 {
				newSeg(r.pos, segPlain, 0)
			}
		case 0x1f: // try_table bt vec(catch)
			if err = skipBlockType(r); err != nil {
				return err
			}
			n, err := r.u32()
			if err != nil {
				return err
			}
			for i := uint32(0); i < n; i++ {
				k, err := r.byte()
				if err != nil {
					return err
				}
				switch k {
				case 0x00, 0x01:
					if _, err = r.u32(); err != nil {
						return err
					}
				case 0x02, 0x03:
				default:
					r.pos--
					return r.fail("invalid try_table catch kind %#x", k)
				}
				l, err := r.u32()
				if err != nil {
					return err
				}
				// Catch labels are relative to the block enclosing try_table.
				if err := target(l); err != nil {
					return err
				}
			}
			w.frames = append(w.frames, frame{kind: frTryTable, dead: dead})
		case 0x05, 0x07, 0x19: // else, catch tag, catch_all
			f := &w.frames[len(w.frames)-1]
			if op == 0x05 && f.kind != frIf {
				r.pos--
				return r.fail("else outside if")
			}
			if op != 0x05 && f.kind != frTry {
				r.pos--
				return r.fail("catch outside try")
			}
			if op == 0x07 {
				if _, err = r.u32(); err != nil {
					return err
				}
			}
			if !dead {
				f.armReachable = true
			}
			f.hasElse = true
			dead = f.dead
			if !dead {
				newSeg(r.pos, segPlain, 0)
			}
		case 0x0b, 0x18: // end, delegate
			if op == 0x18 {
				if _, err = r.u32(); err != nil {
					return err
				}
			}
			f := w.frames[len(w.frames)-1]
			w.frames = w.frames[:len(w.frames)-1]
			if f.kind == frLoop {
				w.closeLoop()
			}
			if f.kind == frFunc {
				if op != 0x0b {
					r.pos = opStart
					return r.fail("delegate at function level")
				}
				if !r.eof() {
					return r.fail("%d bytes after the function's final end", len(r.b)-r.pos)
				}
				sync(opStart)
				if cur >= 0 && !dead {
					newSeg(r.pos, segPlain, 0) // closes the last segment's accounting
				}
				return nil
			}
			if op == 0x18 && f.kind != frTry {
				r.pos = opStart
				return r.fail("delegate outside try")
			}
			bodyReachable := !dead
			var after, split bool
			switch f.kind {
			case frLoop:
				after, split = bodyReachable, false
			case frBlock, frTryTable:
				// try_table catch labels name enclosing blocks, which scan
				// marks as targeted, so try_table ends like a block.
				after, split = bodyReachable || f.targeted, f.targeted
			case frIf:
				after, split = true, true
			case frTry:
				after, split = true, true
			}
			if f.dead {
				after = false
			}
			dead = !after
			if after && split {
				newSeg(r.pos, segPlain, 0)
			}
		case 0x0c: // br
			var l uint32
			if l, err = r.u32(); err == nil {
				err = target(l)
			}
			if err == nil && exits(l) {
				sync(opStart)
			}
			kill()
		case 0x0d, 0xd5, 0xd6: // br_if, br_on_null, br_on_non_null
			var l uint32
			if l, err = r.u32(); err == nil {
				err = target(l)
			}
			if err == nil && exits(l) {
				sync(opStart)
			}
			if err == nil && !dead {
				newSeg(r.pos, segPlain, 0)
			}
		case 0x0e: // br_table
			var n uint32
			if n, err = r.u32(); err != nil {
				return err
			}
			if int(n) > len(r.b)-r.pos {
				return r.fail("br_table with %d labels is larger than the body", n)
			}
			exit := false
			for i := uint32(0); i <= n && err == nil; i++ {
				var l uint32
				if l, err = r.u32(); err == nil {
					err = target(l)
					exit = exit || exits(l)
				}
			}
			if exit {
				sync(opStart)
			}
			kill()
		case 0x10, 0x12: // call, return_call
			w.hasCall = true
			sync(opStart)
			err = w.funcImm(r)
			if err == nil && !dead {
				if op == 0x10 {
					newSeg(r.pos, segAfterCall, 0)
				} else {
					kill()
				}
			}
			if op == 0x12 {
				kill()
			}
		case 0x11, 0x13: // call_indirect, return_call_indirect
			w.hasCall = true
			sync(opStart)
			if err = typeImm(r); err == nil {
				_, err = r.u32()
			}
			if err == nil && !dead && op == 0x11 {
				newSeg(r.pos, segAfterCall, 0)
			}
			if op == 0x13 {
				kill()
			}
		case 0x14, 0x15: // call_ref, return_call_ref
			w.hasCall = true
			sync(opStart)
			err = typeImm(r)
			if err == nil && !dead && op == 0x14 {
				newSeg(r.pos, segAfterCall, 0)
			}
			if op == 0x15 {
				kill()
			}
		case 0x08, 0x09: // throw tag, rethrow depth
			_, err = r.u32()
			kill()
		case 0x0a: // throw_ref
			kill()
		case 0x1c: // select t*
			var n uint32
			if n, err = r.u32(); err != nil {
				return err
			}
			for i := uint32(0); i < n && err == nil; i++ {
				err = skipValType(r)
			}
		case 0x20, 0x21, 0x22: // local.get/set/tee
			var l uint32
			if l, err = r.u32(); err == nil && l >= w.fuelLocal {
				// Reject now: the appended locals would make it valid.
				r.pos = opStart
				return r.fail("unknown local %d (the function has %d locals)", l, w.fuelLocal)
			}
			if err == nil && op != 0x20 && w.words > 0 && len(w.openLoops) > 0 {
				// Writes in the innermost loop; closeLoop passes them out.
				lp := int(w.openLoops[len(w.openLoops)-1])
				w.loopBits[lp*w.words+int(l/64)] |= 1 << (l % 64)
			}
		case 0x25, 0x26: // table.get/set
			_, err = r.u32()
			if op == 0x26 {
				w.tableWrites++
			}
		case 0xd2: // ref.func
			err = w.funcImm(r)
		case 0x23, 0x24: // global.get/set
			var g uint32
			if g, err = r.u32(); err == nil && g >= w.fuel {
				// Reject now: the appended globals would make it valid.
				r.pos = opStart
				return r.fail("unknown global %d (the module has %d globals)", g, w.fuel)
			}
		case 0x3f: // memory.size
			_, err = r.u32()
		case 0x40: // memory.grow
			_, err = r.u32()
			if err == nil && !dead && w.opt.Dynamic {
				w.events = append(w.events, event{pos: opStart, kind: evDyn, arg: MemoryGrowShift, depth: int32(len(w.frames))})
				w.ndyn++
			}
		case 0x41:
			_, err = r.sleb(32)
		case 0x42:
			_, err = r.sleb(64)
		case 0x43:
			err = r.skip(4)
		case 0x44:
			err = r.skip(8)
		case 0xd0: // ref.null ht
			at := r.pos
			var ht int64
			if ht, err = r.sleb(33); err == nil {
				err = r.typeIdx(ht, at)
			}
		case 0xd1, 0xd3, 0xd4: // ref.is_null, ref.eq, ref.as_non_null
		case 0xfc:
			err = w.scanFC(r, opStart, dead)
		case 0xfd:
			err = scanFD(r)
		case 0xfe:
			err = scanFE(r)
		default:
			switch {
			case op >= 0x28 && op <= 0x3e:
				err = skipMemArg(r)
			case op >= 0x45 && op <= 0xc4:
				// numeric operators without immediates
			default:
				r.pos = opStart
				return r.fail("unknown opcode %#x", op)
			}
		}
		if err != nil {
			return err
		}
	}
}

// funcImm reads a function index immediate and records it for renumbering.
// Indices are renumbered in unreachable code too: it is validated all the
// same.
func (w *walker) funcImm(r *reader) error {
	pos := r.pos
	idx, err := r.u32()
	if err == nil && w.rm.fn(idx) != idx {
		w.events = append(w.events, event{pos: pos, kind: evFunc, arg: int32(r.pos - pos)})
	}
	return err
}

func skipBlockType(r *reader) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	switch c {
	case 0x40:
		r.pos++
		return nil
	case 0x63, 0x64:
		return skipValType(r)
	}
	at := r.pos
	v, err := r.sleb(33)
	if err != nil {
		return err
	}
	if v < 0 {
		// A single-byte value type.
		r.pos--
		return skipValType(r)
	}
	return r.typeIdx(v, at)
}

// typeImm reads a type index immediate.
func typeImm(r *reader) error {
	at := r.pos
	v, err := r.u32()
	if err != nil {
		return err
	}
	return r.typeIdx(int64(v), at)
}

func skipMemArg(r *reader) error {
	align, err := r.u32()
	if err != nil {
		return err
	}
	if align&0x40 != 0 { // multi-memory: explicit memory index
		if _, err := r.u32(); err != nil {
			return err
		}
	}
	_, err = r.u32()
	return err
}

func (w *walker) scanFC(r *reader, opStart int, dead bool) error {
	sub, err := r.u32()
	if err != nil {
		return err
	}
	shift := int8(0)
	dynamic := false
	switch sub {
	case 0, 1, 2, 3, 4, 5, 6, 7: // trunc_sat
		return nil
	case 8: // memory.init data mem
		if _, err = r.u32(); err == nil {
			_, err = r.u32()
		}
		dynamic, shift = true, MemoryBytesShift
	case 9, 13, 16: // data.drop, elem.drop, table.size
		_, err = r.u32()
	case 10: // memory.copy mem mem
		if _, err = r.u32(); err == nil {
			_, err = r.u32()
		}
		dynamic, shift = true, MemoryBytesShift
	case 11: // memory.fill mem
		_, err = r.u32()
		dynamic, shift = true, MemoryBytesShift
	case 12, 14: // table.init elem table, table.copy t t
		if _, err = r.u32(); err == nil {
			_, err = r.u32()
		}
		dynamic, shift = true, TableElemShift
		w.tableWrites++
	case 15, 17: // table.grow t, table.fill t
		_, err = r.u32()
		dynamic, shift = true, TableElemShift
		w.tableWrites++
	default:
		r.pos = opStart
		return r.fail("unknown 0xfc opcode %d", sub)
	}
	if err != nil {
		return err
	}
	if dynamic && !dead && w.opt.Dynamic {
		w.events = append(w.events, event{pos: opStart, kind: evDyn, arg: int32(shift), depth: int32(len(w.frames))})
		w.ndyn++
	}
	return nil
}

func scanFD(r *reader) error {
	start := r.pos - 1
	sub, err := r.u32()
	if err != nil {
		return err
	}
	switch {
	case sub <= 11 || sub == 92 || sub == 93: // loads, stores, load_zero
		return skipMemArg(r)
	case sub == 12 || sub == 13: // v128.const, i8x16.shuffle
		return r.skip(16)
	case sub >= 21 && sub <= 34: // extract/replace lane
		return r.skip(1)
	case sub >= 84 && sub <= 91: // load/store lane
		if err := skipMemArg(r); err != nil {
			return err
		}
		return r.skip(1)
	case sub <= 0x113: // all other SIMD (and relaxed SIMD) operators have no immediates
		return nil
	}
	r.pos = start
	return r.fail("unknown 0xfd opcode %d", sub)
}

func scanFE(r *reader) error {
	start := r.pos - 1
	sub, err := r.u32()
	if err != nil {
		return err
	}
	switch {
	case sub == 3: // atomic.fence
		return r.skip(1)
	case sub <= 2 || (sub >= 0x10 && sub <= 0x4e):
		return skipMemArg(r)
	}
	r.pos = start
	return r.fail("unknown 0xfe opcode %d", sub)
}

// closeLoop ends the innermost open loop: the locals it writes are also
// written by the loop around it.
func (w *walker) closeLoop() {
	n := len(w.openLoops)
	if n == 0 {
		return
	}
	inner := int(w.openLoops[n-1])
	w.openLoops = w.openLoops[:n-1]
	if n < 2 || w.words == 0 {
		return
	}
	outer := int(w.openLoops[n-2])
	for i := 0; i < w.words; i++ {
		w.loopBits[outer*w.words+i] |= w.loopBits[inner*w.words+i]
	}
}
