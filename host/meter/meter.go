// Package meter makes WebAssembly guests deterministic to budget: it rewrites
// a module so that it counts its own executed instructions in a fuel global,
// and runs calls on such a module under a fuel budget and a wall-clock
// deadline.
//
// Instrument is a pure function on module bytes. The rewritten module appends
// two defined, mutable i64 globals exported as FuelExport and LimitExport and
// charges the cost of every straight-line block before the block runs. At a
// check (function entry, loop header with a back edge, after a call returns,
// before size-proportional work, and at least every CheckInterval units of
// straight-line code) the guest compares the fuel with the limit; when it is
// below, the guest calls the one function it imports, HostModule.RefuelFunc,
// which traps when the fuel is negative or the host stopped the call, and
// otherwise lowers the limit and returns. The import makes the guest come
// back to Go at least every Slice units of fuel, so the Go runtime can stop
// it for a garbage collection (compiled guest code cannot be preempted).
// NewHostModule provides the import in a wazero runtime.
//
// A Gauge runs calls on an instantiated, instrumented module: it sets the
// budget, enforces a deadline by raising the limit from a watchdog, and tells
// fuel exhaustion and deadline expiry from the guest's own traps by reading
// the counter after the call.
//
// See docs/metering.md for the cost table, the overshoot bound and the
// deadline latency bound.
package meter

import (
	"errors"
	"fmt"
	"strings"

	"github.com/watchbox/watchbox/host/meter/internal/instr"
)

// FuelExport is the export name of the fuel global added by Instrument: a
// mutable i64 holding the remaining fuel. The guest traps with `unreachable`
// at its next check once it is negative.
const FuelExport = "watchbox_fuel"

// LimitExport is the export name of the second global added by Instrument:
// a mutable i64 that checks compare the fuel against: a check whose fuel is
// below it calls RefuelFunc. The guest never writes it. A Gauge keeps it at
// max(0, fuel-Slice), and sets it to math.MaxInt64 to stop the guest at its
// next check whatever fuel is left (deadlines). Its initial value is
// MaxFuel-Slice.
const LimitExport = "watchbox_fuel_limit"

// HostModule and RefuelFunc name the one function Instrument's output
// imports, of type [] -> []. A failed check stores the fuel to FuelExport,
// calls it, reloads the fuel and carries on. It must trap if FuelExport is
// negative (the budget is exhausted) or the host wants the call stopped, and
// otherwise return with LimitExport at most FuelExport (setting it to 0 is
// correct; a Gauge sets max(0, fuel-Slice) so that the guest calls it again
// after Slice more units). NewHostModule provides it for wazero.
const (
	HostModule = "watchbox_meter"
	RefuelFunc = "refuel"
)

// Slice is how much fuel a guest may use between two returns to Go (calls
// to RefuelFunc) under a Gauge, a few milliseconds of guest work. While
// compiled guest code runs, the Go runtime cannot preempt its goroutine: a
// garbage collection that needs to stop the world waits until the guest
// comes back, and with it every other goroutine of the process (watchdog
// timers included). The slow path costs about a host call per Slice units,
// which is not measurable.
const Slice = 10_000_000

// Version is the instrumenter version. It changes whenever the output of
// Instrument for some input changes, and is part of the Cache key.
//
// Version 3 imports HostModule.RefuelFunc (renumbering functions) and
// starts with the limit at MaxFuel-Slice. Version 4 keeps the counter in a
// local in every function without an exception-handling operator (version
// 3 decided from a byte scan, and left most functions in the global).
// Version 5 gives loop headers a slow path that saves the locals the loop
// writes to scratch globals around the refuel call and branches back to
// the header, so that loop-carried values are not spilled on every
// iteration; fuel is unchanged. Version 6 joins the data segments that
// fewer than 4 KiB of zeros separate (instr.Options.MergeData): a Go
// module's 37,621 segments cost wazero 0.86 MiB in every instance, and
// become one or two; fuel is unchanged.
const Version = 6

// MaxFuel is the largest budget a Gauge accepts; larger budgets are clamped
// to it. It is also the initial value of the fuel global, so a module that
// is run without a Gauge (for example in another engine) is effectively
// unlimited until the host writes the global. The limit global starts at
// MaxFuel-Slice, so even code run before a Gauge starts (a start function)
// returns to the host every Slice units.
const MaxFuel = int64(1) << 61

// CheckInterval bounds the straight-line code between two checks: the
// instrumenter forces a compare-and-trap once more than this much unchecked
// cost has accumulated in code order since the last check.
const CheckInterval = 1000

// CostModel selects the cost of each operator.
type CostModel uint8

const (
	// Strict charges 1 per executed operator (0 for nop, drop, block, loop,
	// end, else, return and unreachable) and additionally charges
	// size-proportional work by size: memory.grow 8192 per page,
	// memory.fill/copy/init 1 per 8 bytes, table.grow/fill/copy/init 1 per
	// element. It is the default for apps.
	Strict CostModel = iota
	// Wasmtime charges exactly what wasmtime's consume_fuel charges with its
	// default costs: 1 per executed operator, 0 for nop, drop, block, loop,
	// end, else, return and unreachable, and nothing by size.
	Wasmtime
)

// String returns the model's name as accepted by ParseCostModel.
func (m CostModel) String() string {
	switch m {
	case Strict:
		return "strict"
	case Wasmtime:
		return "wasmtime"
	}
	return fmt.Sprintf("CostModel(%d)", uint8(m))
}

// ParseCostModel parses "strict" or "wasmtime" (case-insensitive); the empty
// string means Strict.
func ParseCostModel(s string) (CostModel, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "strict":
		return Strict, nil
	case "wasmtime":
		return Wasmtime, nil
	}
	return 0, fmt.Errorf("unknown cost model %q: want \"strict\" or \"wasmtime\"", s)
}

// FormatError reports malformed input: the section and absolute byte offset
// where decoding failed, and the function index for code-section errors (or
// -1).
type FormatError = instr.Error

// ErrUnknownCostModel is returned by Instrument for an undefined CostModel.
var ErrUnknownCostModel = errors.New("unknown cost model")

// Instrument returns a copy of the binary module wasm that meters itself
// under the given cost model. The copy imports HostModule.RefuelFunc (after
// the module's own imports, so defined functions move up by one index;
// every reference to them is renumbered). It never panics; malformed input
// yields a *FormatError (wrapped) naming the section and byte offset.
// Input that is already instrumented (exports FuelExport or LimitExport, or
// imports from HostModule) is rejected. Instrument does not fully validate
// the module: invalid but well-formed input produces output that the engine
// rejects just as it rejects the input.
func Instrument(wasm []byte, model CostModel) ([]byte, error) {
	out, _, err := instrument(wasm, model)
	return out, err
}

// Extras are what InstrumentWith adds to metering, for a fuzzer.
type Extras struct {
	// Coverage adds edge coverage: the output also imports
	// CoverModule.CoverFunc (after RefuelFunc, so defined functions move
	// up by two) and calls it at every function entry, branch target and
	// loop head with a constant site id. The calls are not charged: the
	// output counts exactly the fuel Instrument's output counts.
	// NewCoverage provides the import and the map it fills.
	Coverage bool
	// AppCoverage limits coverage to the app's own code: the functions
	// that are not in a Go standard library package, by their names in
	// the name section (AppCode). The Go runtime's edges, thousands of
	// them that move with every allocation and map access, then do not
	// bury the app's under hit-count noise. Requires Coverage.
	AppCoverage bool
	// Snapshots exports what a snapshot of an instance must restore
	// besides its memory: every defined mutable numeric global, as
	// GlobalExportPrefix+index, and TablesStaticExport, which says whether
	// an operator may write a table (see those names).
	Snapshots bool
}

// GlobalExportPrefix and TablesStaticExport are the exports of
// Extras.Snapshots: the defined mutable globals of types i32, i64, f32
// and f64, by index, and an immutable i32 global that is 1 when the module
// imports no table and has no operator that writes one (table.set,
// table.grow, table.fill, table.copy, table.init), so that its tables are
// the same in every instance, and 0 otherwise.
const (
	GlobalExportPrefix = instr.GlobalExportPrefix
	TablesStaticExport = instr.TablesStaticExport
)

// InstrumentCoverage is InstrumentWith(wasm, model, Extras{Coverage: true}).
func InstrumentCoverage(wasm []byte, model CostModel) ([]byte, error) {
	out, _, err := instrumentWith(wasm, model, Extras{Coverage: true})
	return out, err
}

// InstrumentWith is Instrument with extras. With no extras its output is
// Instrument's.
func InstrumentWith(wasm []byte, model CostModel, x Extras) ([]byte, error) {
	out, _, err := instrumentWith(wasm, model, x)
	return out, err
}

func instrument(wasm []byte, model CostModel) ([]byte, instr.Stats, error) {
	return instrumentWith(wasm, model, Extras{})
}

func instrumentWith(wasm []byte, model CostModel, x Extras) ([]byte, instr.Stats, error) {
	if model != Strict && model != Wasmtime {
		return nil, instr.Stats{}, fmt.Errorf("meter: %w %d", ErrUnknownCostModel, model)
	}
	opt := rewriteOptions(model)
	if x.Coverage {
		opt.CoverModule, opt.CoverName = CoverModule, CoverFunc
		if x.AppCoverage {
			opt.CoverOnly = AppCode
		}
	}
	opt.ExportGlobals = x.Snapshots
	out, st, err := instr.Rewrite(wasm, opt)
	if err != nil {
		return nil, st, fmt.Errorf("meter: malformed module: %w", err)
	}
	return out, st, nil
}

func rewriteOptions(model CostModel) instr.Options {
	return instr.Options{
		GlobalName:   FuelExport,
		LimitName:    LimitExport,
		Dynamic:      model == Strict,
		CheckEvery:   CheckInterval,
		InitialFuel:  MaxFuel,
		InitialLimit: sliceLimit(MaxFuel),
		ImportModule: HostModule,
		ImportName:   RefuelFunc,
		MergeData:    true,
	}
}

// SnapshotExports lists what InstrumentWith's Extras.Snapshots exported in
// its output wasm: the names of the mutable globals to save and restore.
// ok is false when the module was not instrumented with Extras.Snapshots
// (it does not export TablesStaticExport); read that global's value on an
// instance to know whether the tables are static.
func SnapshotExports(wasm []byte) (globals []string, ok bool, err error) {
	exports, err := instr.Exports(wasm)
	if err != nil {
		return nil, false, fmt.Errorf("meter: %w", err)
	}
	for _, e := range exports {
		if e.Kind != 3 {
			continue
		}
		switch {
		case e.Name == TablesStaticExport:
			ok = true
		case strings.HasPrefix(e.Name, GlobalExportPrefix):
			globals = append(globals, e.Name)
		}
	}
	return globals, ok, nil
}

// AppCode reports whether a function named name (a Go symbol name as the
// Go toolchain writes it in the name section, or any other language's)
// is the app's own code rather than Go's standard library: names without
// a package ("main", C functions) and names whose package path starts
// with a domain ("github.com/...") or is main are the app's.
func AppCode(name string) bool {
	name = strings.TrimLeft(name, "(*")
	pkg, _, ok := strings.Cut(name, ".")
	if !ok {
		return true
	}
	first, _, _ := strings.Cut(pkg, "/")
	if pkg == "main" || strings.Contains(first, ".") {
		return true
	}
	// The path's first element has no dot: a package of the standard
	// library (runtime, fmt, encoding/json, internal/..., vendor/...),
	// or a symbol with a dot in a language without packages.
	return !strings.Contains(pkg, "/") && strings.ToLower(pkg) != pkg
}
