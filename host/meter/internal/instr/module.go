package instr

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
)

// Options configures a rewrite.
type Options struct {
	// GlobalName is the export name of the appended fuel global.
	GlobalName string
	// Dynamic enables size-proportional charges for memory.grow,
	// memory.fill/copy/init and table.grow/fill/copy/init.
	Dynamic bool
	// CheckEvery forces a checked charge once this much unchecked cost has
	// accumulated (in code order) since the last check. 0 means never.
	CheckEvery int64
	// InitialFuel is the initial value of the fuel global.
	InitialFuel int64
	// LimitName is the export name of the appended limit global: checks
	// trap when the fuel is below it. It is 0 normally; a host forces a trap
	// at the next check by setting it to MaxInt64.
	LimitName string
	// NoLocal disables keeping the fuel in a local between calls (the fuel
	// global is then read and written at every charge).
	NoLocal bool
	// InitialLimit is the initial value of the limit global.
	InitialLimit int64
	// ImportModule and ImportName name the function of type [] -> [] that
	// the rewrite imports (appended after the existing imports, so every
	// defined function's index moves up by one) and that a failed check
	// calls: the check stores the fuel to its global, calls the import,
	// reloads the fuel and carries on. The import either traps or returns
	// with the limit at most the fuel. A module that already imports from
	// ImportModule is rejected. If ImportModule is empty, a failed check
	// executes unreachable instead and no import is added.
	ImportModule, ImportName string
	// CoverModule and CoverName, if CoverModule is set, add edge coverage:
	// the rewrite imports a function of type [i32] -> [] under these names
	// (after ImportModule.ImportName) and calls it with a site id, a
	// constant in [0, CoverSites), at every function entry, branch target
	// (if and else arms, after br_if, after the end of a block or if that
	// is branched to or falls through from two arms) and loop head. The
	// calls are not charged: a module with coverage counts exactly the fuel
	// of the same module without it. Requires ImportModule.
	CoverModule, CoverName string
	// CoverOnly, if set, limits coverage sites to the functions whose
	// name (from the name section) it accepts; functions without a name
	// are covered.
	CoverOnly func(name string) bool
	// ExportGlobals exports, for a host that snapshots and restores
	// instances, every defined mutable global of a numeric type as
	// GlobalExportPrefix+its index, and an immutable i32 global as
	// TablesStaticExport: 1 when no operator writes a table and no table
	// is imported (the tables need no restoring), else 0.
	ExportGlobals bool
	// MergeData joins the module's active data segments that fewer than
	// MergeGap zero bytes separate, where that cannot be observed (see
	// mergeData): fewer segments, less per-instance state in the engine.
	MergeData bool

	coverNames map[uint32]string // with CoverOnly: function names by index
}

// GlobalExportPrefix and TablesStaticExport are the export names of
// Options.ExportGlobals.
const (
	GlobalExportPrefix = "watchbox_global_"
	TablesStaticExport = "watchbox_tables_static"
)

// CoverSites is the number of distinct coverage site ids: ids are 16-bit,
// so that an AFL-style edge id (cur ^ prev>>1) indexes a 64 KiB map.
const CoverSites = 1 << 16

// Stats describes an instrumented module.
type Stats struct {
	Functions      int      // defined functions rewritten
	GlobalMode     int      // of which keep the counter in the fuel global (exception handling, or Options.NoLocal)
	Charges        int      // charge sequences inserted
	Checks         int      // of which end with a compare-and-trap
	DynamicCharges int      // size-proportional charges inserted
	MaxUnchecked   int64    // largest sum of unchecked charges in one function
	FuelGlobal     uint32   // index of the fuel global; the limit global follows it
	ImportFunc     uint32   // index of the imported slow-path function (with Options.ImportModule)
	CoverSites     int      // coverage calls inserted (with Options.CoverModule)
	TableWrites    int      // operators that write a table (table.set/grow/fill/copy/init)
	ImportedTables int      // tables the module imports
	MutableGlobals []uint32 // exported defined mutable numeric globals (with Options.ExportGlobals)
	ScratchGlobals int      // mutable globals appended for loop-header slow paths to save locals in (see scratchGlobal)
	DroppedDebug   int      // DWARF custom sections dropped
	StaleNames     bool     // the name section did not parse and was kept without renumbering
}

// Dynamic cost shifts: the size operand n is converted to fuel as n<<shift
// (positive) or n>>-shift (negative).
const (
	// MemoryGrowShift: 8192 fuel per 64 KiB page (1 unit per 8 bytes).
	MemoryGrowShift = 13
	// MemoryBytesShift: 1 unit per 8 bytes filled, copied or initialised.
	MemoryBytesShift = -3
	// TableElemShift: 1 unit per table element.
	TableElemShift = 0
)

const (
	secCustom    = 0
	secType      = 1
	secImport    = 2
	secFunction  = 3
	secTable     = 4
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secElement   = 9
	secCode      = 10
	secData      = 11
	secDataCount = 12
	secTag       = 13
)

var sectionNames = map[byte]string{
	secCustom: "custom", secType: "type", secImport: "import", secFunction: "function",
	secTable: "table", secMemory: "memory", secGlobal: "global", secExport: "export",
	secStart: "start", secElement: "element", secCode: "code", secData: "data",
	secDataCount: "data count", secTag: "tag",
}

// sectionRank orders known sections as the binary format requires.
var sectionRank = map[byte]int{
	secType: 1, secImport: 2, secFunction: 3, secTable: 4, secMemory: 5, secTag: 6,
	secGlobal: 7, secExport: 8, secStart: 9, secElement: 10, secDataCount: 11, secCode: 12, secData: 13,
}

type section struct {
	id         byte
	hdr        int // offset of the section id byte
	start, end int // content range in the module
}

func wrap(sec string, err error) error {
	var de *decodeErr
	if errors.As(err, &de) {
		return &Error{Section: sec, Offset: de.off, Func: -1, Msg: de.msg}
	}
	return err
}

// Rewrite instruments a binary module. It never panics on malformed input.
func Rewrite(wasm []byte, opt Options) (out []byte, st Stats, err error) {
	if len(wasm) < 8 {
		return nil, st, &Error{Section: "header", Offset: 0, Func: -1, Msg: fmt.Sprintf("module is %d bytes, shorter than the 8-byte header", len(wasm))}
	}
	if string(wasm[:4]) != "\x00asm" {
		return nil, st, &Error{Section: "header", Offset: 0, Func: -1, Msg: "missing \\0asm magic: not a WebAssembly binary"}
	}
	if wasm[4] != 1 || wasm[5] != 0 || wasm[6] != 0 || wasm[7] != 0 {
		return nil, st, &Error{Section: "header", Offset: 4, Func: -1, Msg: fmt.Sprintf("unsupported binary version % x (want 01 00 00 00; components are not supported)", wasm[4:8])}
	}
	var secs []section
	seen := map[byte]bool{}
	lastRank := 0
	r := &reader{b: wasm, pos: 8}
	for !r.eof() {
		secOff := r.pos
		id, _ := r.byte()
		size, err := r.u32()
		if err != nil {
			return nil, st, wrap("section header", err)
		}
		name, ok := sectionNames[id]
		if !ok {
			return nil, st, &Error{Section: "section header", Offset: secOff, Func: -1, Msg: fmt.Sprintf("unknown section id %d", id)}
		}
		start := r.pos
		if err := r.skip(int(size)); err != nil {
			return nil, st, &Error{Section: name, Offset: start, Func: -1, Msg: fmt.Sprintf("section size %d runs past the end of the module (%d bytes left)", size, len(wasm)-start)}
		}
		if id != secCustom {
			if seen[id] {
				return nil, st, &Error{Section: name, Offset: secOff, Func: -1, Msg: "duplicate section"}
			}
			seen[id] = true
			if sectionRank[id] < lastRank {
				return nil, st, &Error{Section: name, Offset: secOff, Func: -1, Msg: "section out of order"}
			}
			lastRank = sectionRank[id]
		}
		secs = append(secs, section{id: id, hdr: secOff, start: start, end: r.pos})
	}

	var (
		typesKnown     bool
		types          []funcType
		funcTypes      []uint32 // per defined function
		importedFuncs  uint32
		importedGlobal uint32
		definedGlobals uint32
	)
	// secReader reads a section, checking type indices once the type
	// section is known (it comes first).
	secReader := func(s section) *reader {
		return &reader{b: wasm[:s.end], pos: s.start, types: uint32(len(types)), checkTypes: typesKnown}
	}
	for _, s := range secs {
		sr := secReader(s)
		var err error
		switch s.id {
		case secType:
			if types, err = parseTypes(sr); err == nil {
				// Again, now that the count is known: references between
				// types must be in range too.
				typesKnown = true
				_, err = parseTypes(secReader(s))
			}
		case secTag:
			err = parseTags(sr)
		case secImport:
			importedFuncs, importedGlobal, err = parseImports(sr, opt.ImportModule)
		case secFunction:
			funcTypes, err = parseFunctions(sr)
		case secGlobal:
			definedGlobals, err = sr.u32()
		}
		if s.id != secCustom {
			typesKnown = true // no type section: there are no types
		}
		if err != nil {
			return nil, st, wrap(sectionNames[s.id], err)
		}
	}
	if opt.ExportGlobals {
		for _, s := range secs {
			var err error
			switch s.id {
			case secImport:
				st.ImportedTables, err = countImportedTables(secReader(s))
			case secGlobal:
				st.MutableGlobals, err = mutableGlobals(secReader(s), importedGlobal)
			}
			if err != nil {
				return nil, st, wrap(sectionNames[s.id], err)
			}
		}
	}
	for _, s := range secs {
		var err error
		if s.id == secExport {
			sr := secReader(s)
			err = checkExports(sr, []string{opt.GlobalName, opt.LimitName}, importedGlobal+definedGlobals)
		}
		if err != nil {
			return nil, st, wrap(sectionNames[s.id], err)
		}
	}
	if uint64(importedGlobal)+uint64(definedGlobals) >= math.MaxUint32-3-scratchGlobalsMax {
		return nil, st, &Error{Section: "global", Offset: 0, Func: -1, Msg: "too many globals"}
	}
	fuel := importedGlobal + definedGlobals
	st.FuelGlobal = fuel
	// A module that defines no function has no checks, and gets no import.
	slow := opt.ImportModule != "" && len(funcTypes) > 0
	if slow && uint64(importedFuncs)+uint64(len(funcTypes)) >= math.MaxUint32-2 {
		return nil, st, &Error{Section: "function", Offset: 0, Func: -1, Msg: "too many functions"}
	}
	cover := slow && opt.CoverModule != ""
	if opt.CoverModule != "" && opt.ImportModule == "" {
		return nil, st, errors.New("instr: coverage needs the slow-path import (Options.ImportModule)")
	}
	rm := remap{on: slow, from: importedFuncs, by: 1}
	if cover {
		rm.by = 2
	}
	st.ImportFunc = importedFuncs

	// Each body is wrapped in block $trap (block $body ... end) return end
	// so checks branch forward to a cold trap at the end of the function.
	// $body needs a block type []->results; for several results that is a
	// type index, appended to the type section when the module has none.
	bodyBT := make([][]byte, len(types))
	var newTypes [][]byte
	for _, ti := range funcTypes {
		if int(ti) >= len(types) || bodyBT[ti] != nil {
			continue
		}
		t := types[ti]
		switch {
		case !t.isFunc:
			continue
		case t.nres == 0:
			bodyBT[ti] = []byte{0x40}
		case t.nres == 1:
			bodyBT[ti] = t.res
		default:
			idx := -1
			for j, u := range types {
				if u.isFunc && u.params == 0 && bytes.Equal(u.res, t.res) {
					idx = j
					break
				}
			}
			if idx < 0 {
				enc := append([]byte{0x60, 0x00}, appendU32(nil, t.nres)...)
				enc = append(enc, t.res...)
				for j, nt := range newTypes {
					if bytes.Equal(nt, enc) {
						idx = len(types) + j
					}
				}
				if idx < 0 {
					idx = len(types) + len(newTypes)
					newTypes = append(newTypes, enc)
				}
			}
			bodyBT[ti] = appendS64(nil, int64(idx))
		}
	}
	// The slow-path import needs a type [] -> []. Only a type defined on
	// its own is reused: a function type inside a rec group or with
	// supertypes is a different type.
	// typeIndex is the index of the first existing type match accepts,
	// else of enc among the types this rewrite adds (added once).
	typeIndex := func(match func(u funcType) bool, enc []byte) uint32 {
		for j, u := range types {
			if match(u) {
				return uint32(j)
			}
		}
		idx := -1
		for j, nt := range newTypes {
			if bytes.Equal(nt, enc) {
				idx = len(types) + j
			}
		}
		if idx < 0 {
			idx = len(types) + len(newTypes)
			newTypes = append(newTypes, enc)
		}
		return uint32(idx)
	}
	var slowType uint32
	if slow {
		slowType = typeIndex(func(u funcType) bool { return u.plain && u.params == 0 && u.nres == 0 }, []byte{0x60, 0x00, 0x00})
	}
	var coverType uint32
	if cover {
		coverType = typeIndex(func(u funcType) bool { return u.plain && u.params == 1 && u.nres == 0 && u.p0 == 0x7f }, []byte{0x60, 0x01, 0x7f, 0x00})
	}

	if opt.CoverOnly != nil {
		for _, s := range secs {
			if s.id == secCustom {
				sr := secReader(s)
				if nm, err := sr.name(); err == nil && nm == "name" {
					opt.coverNames = funcNames(sr)
				}
			}
		}
	}
	// The code is rewritten first: with ExportGlobals, the exports depend
	// on whether it writes tables.
	var code []byte
	for _, s := range secs {
		if s.id == secCode {
			c, err := rewriteCode(wasm[:s.end], s.start, types, bodyBT, funcTypes, importedFuncs, fuel, rm, opt, &st)
			if err != nil {
				return nil, st, err
			}
			code = c
		}
	}
	static := st.TableWrites == 0 && st.ImportedTables == 0
	nglobals, nexports := uint32(2), uint32(2)
	if opt.ExportGlobals {
		nexports += uint32(len(st.MutableGlobals)) + 1
		nglobals++
	}
	nglobals += uint32(st.ScratchGlobals)

	out = make([]byte, 0, len(wasm)+len(wasm)/4+64)
	out = append(out, wasm[:8]...)
	emittedGlobal, emittedExport := false, false
	emittedType, emittedImport := len(newTypes) == 0, !slow
	newGlobal := func() []byte {
		g := []byte{0x7e, 0x01, 0x42} // fuel
		g = appendS64(g, opt.InitialFuel)
		g = append(g, 0x0b, 0x7e, 0x01, 0x42) // limit
		g = appendS64(g, opt.InitialLimit)
		g = append(g, 0x0b)
		if opt.ExportGlobals {
			v := byte(0)
			if static {
				v = 1
			}
			g = append(g, 0x7f, 0x00, 0x41, v, 0x0b) // immutable i32 = 0 or 1
		}
		return appendScratchGlobals(g, st.ScratchGlobals)
	}
	newImport := func() []byte {
		im := appendU32(nil, uint32(len(opt.ImportModule)))
		im = append(im, opt.ImportModule...)
		im = appendU32(im, uint32(len(opt.ImportName)))
		im = append(im, opt.ImportName...)
		im = append(im, 0x00)
		im = appendU32(im, slowType)
		if cover {
			im = appendU32(im, uint32(len(opt.CoverModule)))
			im = append(im, opt.CoverModule...)
			im = appendU32(im, uint32(len(opt.CoverName)))
			im = append(im, opt.CoverName...)
			im = append(im, 0x00)
			im = appendU32(im, coverType)
		}
		return im
	}
	nimports := uint32(1)
	if cover {
		nimports = 2
	}
	newExport := func() []byte {
		e := appendU32(nil, uint32(len(opt.GlobalName)))
		e = append(e, opt.GlobalName...)
		e = append(e, 0x03)
		e = appendU32(e, fuel)
		e = appendU32(e, uint32(len(opt.LimitName)))
		e = append(e, opt.LimitName...)
		e = append(e, 0x03)
		e = appendU32(e, fuel+1)
		if opt.ExportGlobals {
			for _, gi := range st.MutableGlobals {
				name := fmt.Sprintf("%s%d", GlobalExportPrefix, gi)
				e = appendU32(e, uint32(len(name)))
				e = append(e, name...)
				e = append(e, 0x03)
				e = appendU32(e, gi)
			}
			e = appendU32(e, uint32(len(TablesStaticExport)))
			e = append(e, TablesStaticExport...)
			e = append(e, 0x03)
			e = appendU32(e, fuel+2)
		}
		return e
	}
	emitSection := func(id byte, content []byte) {
		out = append(out, id)
		out = appendU32(out, uint32(len(content)))
		out = append(out, content...)
	}
	flushBefore := func(rank int) {
		if !emittedType && rank > sectionRank[secType] {
			c := appendU32(nil, uint32(len(newTypes)))
			for _, nt := range newTypes {
				c = append(c, nt...)
			}
			emitSection(secType, c)
			emittedType = true
		}
		if !emittedImport && rank > sectionRank[secImport] {
			emitSection(secImport, append(appendU32(nil, nimports), newImport()...))
			emittedImport = true
		}
		if !emittedGlobal && rank > sectionRank[secGlobal] {
			emitSection(secGlobal, append(appendU32(nil, nglobals), newGlobal()...))
			emittedGlobal = true
		}
		if !emittedExport && rank > sectionRank[secExport] {
			emitSection(secExport, append(appendU32(nil, nexports), newExport()...))
			emittedExport = true
		}
	}
	// The appended sections go before the trailing custom sections, so
	// that those stay at the end of the module (wazero reads a name section
	// whose last subsection overruns its size on into the next section).
	lastKnown := -1
	for i, s := range secs {
		if s.id != secCustom {
			lastKnown = i
		}
	}
	for i, s := range secs {
		content := wasm[s.start:s.end]
		if s.id != secCustom {
			flushBefore(sectionRank[s.id])
		} else if i > lastKnown {
			flushBefore(math.MaxInt)
		}
		switch s.id {
		case secGlobal, secExport:
			sr := secReader(s)
			n, _ := sr.u32() // already validated above
			add := nglobals
			if s.id == secExport {
				add = nexports
			}
			if uint64(n)+uint64(add) >= math.MaxUint32 {
				return nil, st, &Error{Section: sectionNames[s.id], Offset: s.start, Func: -1, Msg: "too many entries"}
			}
			c := appendU32(make([]byte, 0, len(content)+64), n+add)
			if rm.on {
				var err error
				if s.id == secGlobal {
					c, err = rm.globals(sr, c, n)
				} else {
					c, err = rm.exports(sr, c, n)
				}
				if err != nil {
					return nil, st, wrap(sectionNames[s.id], err)
				}
			}
			c = append(c, wasm[sr.pos:s.end]...)
			if s.id == secGlobal {
				c = append(c, newGlobal()...)
				emittedGlobal = true
			} else {
				c = append(c, newExport()...)
				emittedExport = true
			}
			emitSection(s.id, c)
		case secImport:
			if !slow {
				out = append(out, wasm[s.hdr:s.end]...)
				continue
			}
			sr := secReader(s)
			n, _ := sr.u32() // already validated above
			if n >= math.MaxUint32-1 {
				return nil, st, &Error{Section: "import", Offset: s.start, Func: -1, Msg: "too many imports"}
			}
			c := appendU32(make([]byte, 0, len(content)+64), n+nimports)
			c = append(c, wasm[sr.pos:s.end]...)
			emitSection(secImport, append(c, newImport()...))
			emittedImport = true
		case secTable, secStart, secElement:
			if !rm.on {
				out = append(out, wasm[s.hdr:s.end]...)
				continue
			}
			sr := secReader(s)
			var c []byte
			var err error
			switch s.id {
			case secTable:
				c, err = rm.tables(sr, c)
			case secStart:
				c, err = rm.funcIdx(sr, c)
			case secElement:
				c, err = rm.elements(sr, c)
			}
			if err != nil {
				return nil, st, wrap(sectionNames[s.id], err)
			}
			emitSection(s.id, append(c, wasm[sr.pos:s.end]...))
		case secType:
			emittedType = true
			if len(newTypes) == 0 {
				out = append(out, wasm[s.hdr:s.end]...)
				continue
			}
			// The count is of entries (a rec group is one), not of types.
			sr := secReader(s)
			n, _ := sr.u32()
			if uint64(n)+uint64(len(newTypes)) >= math.MaxUint32 {
				return nil, st, &Error{Section: "type", Offset: s.start, Func: -1, Msg: "too many types"}
			}
			c := appendU32(make([]byte, 0, len(content)+64), n+uint32(len(newTypes)))
			c = append(c, wasm[sr.pos:s.end]...)
			for _, nt := range newTypes {
				c = append(c, nt...)
			}
			emitSection(secType, c)
		case secCode:
			emitSection(secCode, code)
		case secData:
			if opt.MergeData {
				if c, ok := mergeData(content, seen[secDataCount], memImported(wasm, secs)); ok {
					emitSection(secData, c)
					continue
				}
			}
			out = append(out, wasm[s.hdr:s.end]...)
		case secCustom:
			// DWARF refers to code offsets of the original module, which
			// the rewrite moves: drop it rather than report wrong lines.
			sr := secReader(s)
			name, err := sr.name()
			if err == nil && strings.HasPrefix(name, ".debug_") {
				st.DroppedDebug++
				continue
			}
			if err == nil && name == "name" && rm.on {
				c := append(make([]byte, 0, len(content)+16), wasm[s.start:sr.pos]...)
				if c, ok := rm.names(sr, c); ok {
					emitSection(secCustom, c)
					continue
				}
				st.StaleNames = true
			}
			out = append(out, wasm[s.hdr:s.end]...)
		default:
			out = append(out, wasm[s.hdr:s.end]...)
		}
	}
	flushBefore(math.MaxInt)
	return out, st, nil
}

// funcType is what the rewriter needs of a type: its parameter count and
// its raw result types.
type funcType struct {
	isFunc bool
	plain  bool // a func type on its own: not in a rec group, no supertypes
	params uint32
	p0     byte // the first parameter's value type (one-byte types only)
	// ptypes holds each parameter's value type byte if it is i32, i64, f32
	// or f64, and 0 otherwise; nil when there are more than maxTracked.
	ptypes []byte
	nres   uint32
	res    []byte // encoded result value types, without the count
}

func parseTypes(r *reader) ([]funcType, error) {
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	if int(n) > len(r.b)-r.pos {
		return nil, r.fail("type count %d larger than the section", n)
	}
	out := make([]funcType, 0, n)
	for i := uint32(0); i < n; i++ {
		form, err := r.peek()
		if err != nil {
			return nil, err
		}
		if form == 0x4e { // rec group: vec(subtype)
			r.pos++
			m, err := r.u32()
			if err != nil {
				return nil, err
			}
			for j := uint32(0); j < m; j++ {
				np, err := parseSubType(r)
				if err != nil {
					return nil, err
				}
				out = append(out, np)
			}
			continue
		}
		np, err := parseSubType(r)
		if err != nil {
			return nil, err
		}
		np.plain = form == 0x60
		out = append(out, np)
	}
	return out, nil
}

// parseSubType parses a (sub)type.
func parseSubType(r *reader) (funcType, error) {
	var ft funcType
	form, err := r.byte()
	if err != nil {
		return ft, err
	}
	if form == 0x50 || form == 0x4f { // sub / sub final: vec(typeidx) comptype
		n, err := r.u32()
		if err != nil {
			return ft, err
		}
		for i := uint32(0); i < n; i++ {
			if _, err := r.u32(); err != nil {
				return ft, err
			}
		}
		if form, err = r.byte(); err != nil {
			return ft, err
		}
	}
	switch form {
	case 0x60: // func
		np, err := r.u32()
		if err != nil {
			return ft, err
		}
		var p0 byte
		var ptypes []byte
		for j := uint32(0); j < np; j++ {
			c, _ := r.peek() // skipValType fails if there is none
			if j == 0 {
				p0 = c
			}
			if np <= maxTracked {
				if numType(c) < 0 {
					c = 0
				}
				ptypes = append(ptypes, c)
			}
			if err := skipValType(r); err != nil {
				return ft, err
			}
		}
		nr, err := r.u32()
		if err != nil {
			return ft, err
		}
		start := r.pos
		for j := uint32(0); j < nr; j++ {
			if err := skipValType(r); err != nil {
				return ft, err
			}
		}
		return funcType{isFunc: true, params: np, p0: p0, ptypes: ptypes, nres: nr, res: r.b[start:r.pos]}, nil
	case 0x5f: // struct: vec(fieldtype)
		n, err := r.u32()
		if err != nil {
			return ft, err
		}
		for i := uint32(0); i < n; i++ {
			if err := skipFieldType(r); err != nil {
				return ft, err
			}
		}
		return ft, nil
	case 0x5e: // array: fieldtype
		return ft, skipFieldType(r)
	}
	r.pos--
	return ft, r.fail("invalid type form %#x", form)
}

func skipFieldType(r *reader) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	if c == 0x78 || c == 0x77 { // packed i8, i16
		r.pos++
	} else if err := skipValType(r); err != nil {
		return err
	}
	_, err = r.byte() // mutability
	return err
}

func skipValType(r *reader) error {
	c, err := r.byte()
	if err != nil {
		return err
	}
	switch c {
	case 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, // i32 i64 f32 f64 v128
		0x70, 0x6f, 0x69, // funcref externref exnref
		0x6e, 0x6d, 0x6c, 0x6b, 0x6a, 0x71, 0x72, 0x73, 0x74: // GC abstract shorthands
		return nil
	case 0x63, 0x64: // (ref null ht), (ref ht)
		at := r.pos
		ht, err := r.sleb(33)
		if err != nil {
			return err
		}
		return r.typeIdx(ht, at)
	}
	r.pos--
	return r.fail("invalid value type %#x", c)
}

func skipLimits(r *reader) error {
	flags, err := r.byte()
	if err != nil {
		return err
	}
	if flags > 0x07 {
		return r.fail("invalid limits flags %#x", flags)
	}
	read := func() error {
		if flags&0x04 != 0 {
			_, err := r.sleb(64)
			return err
		}
		_, err := r.u32()
		return err
	}
	if err := read(); err != nil {
		return err
	}
	if flags&0x01 != 0 {
		return read()
	}
	return nil
}

func parseImports(r *reader, reserved string) (funcs, globals uint32, err error) {
	n, err := r.u32()
	if err != nil {
		return 0, 0, err
	}
	for i := uint32(0); i < n; i++ {
		off := r.pos
		mod, err := r.name()
		if err != nil {
			return 0, 0, err
		}
		if reserved != "" && mod == reserved {
			r.pos = off
			return 0, 0, r.fail("import %d is from the module %q: the module is already instrumented, or uses the module name reserved for metering", i, reserved)
		}
		if _, err := r.name(); err != nil {
			return 0, 0, err
		}
		kind, err := r.byte()
		if err != nil {
			return 0, 0, err
		}
		switch kind {
		case 0x00:
			at := r.pos
			var ti uint32
			if ti, err = r.u32(); err == nil {
				err = r.typeIdx(int64(ti), at)
			}
			funcs++
		case 0x01:
			if err = skipValType(r); err == nil {
				err = skipLimits(r)
			}
		case 0x02:
			err = skipLimits(r)
		case 0x03:
			if err = skipValType(r); err == nil {
				_, err = r.byte()
			}
			globals++
		case 0x04:
			if _, err = r.byte(); err == nil {
				at := r.pos
				var ti uint32
				if ti, err = r.u32(); err == nil {
					err = r.typeIdx(int64(ti), at)
				}
			}
		default:
			r.pos--
			return 0, 0, r.fail("import %d: invalid import kind %#x", i, kind)
		}
		if err != nil {
			return 0, 0, err
		}
	}
	return funcs, globals, nil
}

// parseTags checks the type indices of the tag section.
func parseTags(r *reader) error {
	n, err := r.u32()
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		if _, err := r.byte(); err != nil {
			return err
		}
		at := r.pos
		ti, err := r.u32()
		if err != nil {
			return err
		}
		if err := r.typeIdx(int64(ti), at); err != nil {
			return err
		}
	}
	return nil
}

func parseFunctions(r *reader) ([]uint32, error) {
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	if int(n) > len(r.b)-r.pos {
		return nil, r.fail("function count %d larger than the section", n)
	}
	out := make([]uint32, n)
	for i := range out {
		if out[i], err = r.u32(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func checkExports(r *reader, reserved []string, globals uint32) error {
	n, err := r.u32()
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		off := r.pos
		nm, err := r.name()
		if err != nil {
			return err
		}
		for _, name := range reserved {
			if nm == name {
				r.pos = off
				return r.fail("the module already exports %q: it is already instrumented, or uses a reserved metering export name", name)
			}
		}
		kind, err := r.byte()
		if err != nil {
			return err
		}
		idx, err := r.u32()
		if err != nil {
			return err
		}
		if kind == 0x03 && idx >= globals {
			// Reject now: after the fuel global is appended this index
			// would silently become valid.
			return r.fail("export %q: unknown global %d (the module has %d globals)", nm, idx, globals)
		}
	}
	return nil
}

// Export is one entry of a module's export section.
type Export struct {
	Name  string
	Kind  byte // 0 func, 1 table, 2 memory, 3 global, 4 tag
	Index uint32
}

// Exports lists the exports of a binary module.
func Exports(wasm []byte) ([]Export, error) {
	if len(wasm) < 8 {
		return nil, &Error{Section: "header", Func: -1, Msg: "module too short"}
	}
	r := &reader{b: wasm, pos: 8}
	for !r.eof() {
		id, _ := r.byte()
		size, err := r.u32()
		if err != nil {
			return nil, wrap("section header", err)
		}
		start := r.pos
		if err := r.skip(int(size)); err != nil {
			return nil, wrap("section header", err)
		}
		if id != secExport {
			continue
		}
		sr := &reader{b: wasm[:r.pos], pos: start}
		n, err := sr.u32()
		if err != nil {
			return nil, wrap("export", err)
		}
		var out []Export
		for i := uint32(0); i < n; i++ {
			name, err := sr.name()
			if err != nil {
				return nil, wrap("export", err)
			}
			k, err := sr.byte()
			if err != nil {
				return nil, wrap("export", err)
			}
			idx, err := sr.u32()
			if err != nil {
				return nil, wrap("export", err)
			}
			out = append(out, Export{name, k, idx})
		}
		return out, nil
	}
	return nil, nil
}

// countImportedTables counts the table imports of an import section.
func countImportedTables(r *reader) (int, error) {
	n, err := r.u32()
	if err != nil {
		return 0, err
	}
	tables := 0
	for i := uint32(0); i < n; i++ {
		if _, err := r.name(); err != nil {
			return 0, err
		}
		if _, err := r.name(); err != nil {
			return 0, err
		}
		kind, err := r.byte()
		if err != nil {
			return 0, err
		}
		switch kind {
		case 0x00:
			_, err = r.u32()
		case 0x01:
			tables++
			if err = skipValType(r); err == nil {
				err = skipLimits(r)
			}
		case 0x02:
			err = skipLimits(r)
		case 0x03:
			if err = skipValType(r); err == nil {
				_, err = r.byte()
			}
		case 0x04:
			if _, err = r.byte(); err == nil {
				_, err = r.u32()
			}
		default:
			return 0, r.fail("invalid import kind %#x", kind)
		}
		if err != nil {
			return 0, err
		}
	}
	return tables, nil
}

// mutableGlobals lists the defined mutable globals of a numeric type
// (i32, i64, f32, f64), by index; imported counts the imported globals.
func mutableGlobals(r *reader, imported uint32) ([]uint32, error) {
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	var out []uint32
	for i := uint32(0); i < n; i++ {
		t, err := r.peek()
		if err != nil {
			return nil, err
		}
		if err := skipValType(r); err != nil {
			return nil, err
		}
		mut, err := r.byte()
		if err != nil {
			return nil, err
		}
		if _, err := (remap{}).constExpr(r, nil); err != nil {
			return nil, err
		}
		if mut == 0x01 && t >= 0x7c && t <= 0x7f {
			out = append(out, imported+i)
		}
	}
	return out, nil
}

// funcNames reads the function names subsection of a name section; a
// malformed one yields what was read.
func funcNames(r *reader) map[uint32]string {
	names := map[uint32]string{}
	for !r.eof() {
		id, err := r.byte()
		if err != nil {
			return names
		}
		size, err := r.u32()
		if err != nil {
			return names
		}
		start := r.pos
		if r.skip(int(size)) != nil {
			return names
		}
		if id != 1 {
			continue
		}
		sr := &reader{b: r.b[:r.pos], pos: start}
		n, err := sr.u32()
		for i := uint32(0); i < n && err == nil; i++ {
			var idx uint32
			if idx, err = sr.u32(); err == nil {
				var nm string
				if nm, err = sr.name(); err == nil {
					names[idx] = nm
				}
			}
		}
	}
	return names
}

// maxTracked is the most locals (parameters included) a function may have
// for the instrumenter to track which locals its loops write; a function
// with more keeps the plain slow path at its loop headers.
const maxTracked = 4096

// maxLoopBitWords bounds the memory that tracking the locals each loop
// writes takes for one body (64-bit words: 2 MiB). A body with more loops
// times locals keeps the plain slow path at every loop header.
const maxLoopBitWords = 1 << 18

// MaxSaved is the most locals of one value type that a loop-header slow
// path saves to scratch globals around the refuel call. A loop that writes
// more numeric locals of a type keeps them live across the call (they are
// then spilled by the engine, which costs speed, not correctness).
const MaxSaved = 8

// scratchGlobalsMax bounds the scratch globals appended to a module: one
// row of four (i32, i64, f32, f64) per saved local of each type.
const scratchGlobalsMax = 4 * MaxSaved

// numType maps the value types i32, i64, f32 and f64 to 0-3 (their order
// in a row of scratch globals), anything else to -1.
func numType(c byte) int {
	switch c {
	case 0x7f:
		return 0
	case 0x7e:
		return 1
	case 0x7d:
		return 2
	case 0x7c:
		return 3
	}
	return -1
}

// appendScratchGlobals appends n scratch globals (n a multiple of 4), in
// rows of a mutable i32, i64, f32 and f64, each initialised to zero. A
// slow path writes a scratch global before the refuel call and reads it
// back after, so their values between calls never matter.
func appendScratchGlobals(g []byte, n int) []byte {
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			g = append(g, 0x7f, 0x01, 0x41, 0x00)
		case 1:
			g = append(g, 0x7e, 0x01, 0x42, 0x00)
		case 2:
			g = append(g, 0x7d, 0x01, 0x43, 0, 0, 0, 0)
		case 3:
			g = append(g, 0x7c, 0x01, 0x44, 0, 0, 0, 0, 0, 0, 0, 0)
		}
		g = append(g, 0x0b)
	}
	return g
}
