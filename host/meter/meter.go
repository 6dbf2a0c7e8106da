// Package meter makes WebAssembly guests deterministic to budget: it rewrites
// a module so that it counts its own executed instructions in a fuel global,
// and runs calls on such a module under a fuel budget and a wall-clock
// deadline.
//
// Instrument is a pure function on module bytes. The rewritten module appends
// one defined, mutable i64 global exported as FuelExport and charges the cost
// of every straight-line block before the block runs; when the counter goes
// negative at a check (function entry, loop header with a back edge, after a
// call returns, before size-proportional work, and at least every
// CheckInterval units of straight-line code) the guest executes
// `unreachable`. No function, global or table index shifts and no import is
// added, so the instrumented module runs in any engine.
//
// A Gauge runs calls on an instantiated, instrumented module: it sets the
// budget, enforces a deadline by forcing the counter negative from a
// watchdog, and tells fuel exhaustion and deadline expiry from the guest's own
// traps by reading the counter after the call.
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
// a mutable i64 that checks compare the fuel against. It is 0 normally; a
// host sets it to math.MaxInt64 to make the guest trap at its next check
// whatever fuel is left (this is how a Gauge enforces deadlines). The guest
// never writes it.
const LimitExport = "watchbox_fuel_limit"

// Version is the instrumenter version. It changes whenever the output of
// Instrument for some input changes, and is part of the Cache key.
const Version = 2

// MaxFuel is the largest budget a Gauge accepts; larger budgets are clamped
// to it. It is also the initial value of the fuel global, so a module that
// is run without a Gauge (for example in another engine) is effectively
// unlimited until the host writes the global.
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
// under the given cost model. It never panics; malformed input yields a
// *FormatError (wrapped) naming the section and byte offset. Instrument does
// not fully validate the module: invalid but well-formed input produces
// output that the engine rejects just as it rejects the input.
func Instrument(wasm []byte, model CostModel) ([]byte, error) {
	out, _, err := instrument(wasm, model)
	return out, err
}

func instrument(wasm []byte, model CostModel) ([]byte, instr.Stats, error) {
	if model != Strict && model != Wasmtime {
		return nil, instr.Stats{}, fmt.Errorf("meter: %w %d", ErrUnknownCostModel, model)
	}
	out, st, err := instr.Rewrite(wasm, instr.Options{
		GlobalName:  FuelExport,
		LimitName:   LimitExport,
		Dynamic:     model == Strict,
		CheckEvery:  CheckInterval,
		InitialFuel: MaxFuel,
	})
	if err != nil {
		return nil, st, fmt.Errorf("meter: malformed module: %w", err)
	}
	return out, st, nil
}
