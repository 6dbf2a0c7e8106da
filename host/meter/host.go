package meter

import (
	"context"
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// running maps a module to the Gauge whose call (between Start and Finish)
// is running on it, so that RefuelFunc, which only learns the calling
// module, finds the Gauge even when the host calls the guest with a context
// of its own (Start, call, Finish).
var running sync.Map // api.Module -> *Gauge

// gaugeOf returns the Gauge running a call on mod, or nil.
func gaugeOf(ctx context.Context, mod api.Module) *Gauge {
	if g, ok := ctx.Value(gaugeKey{}).(*Gauge); ok && (mod == nil || g.mod == mod) {
		return g
	}
	if mod == nil {
		return nil
	}
	if g, ok := running.Load(mod); ok {
		return g.(*Gauge)
	}
	return nil
}

// checkTrap is what RefuelFunc panics with to stop the guest; wazero turns
// the panic into the error of the call.
type checkTrap struct {
	msg string
	err error
}

func (e *checkTrap) Error() string { return e.msg }
func (e *checkTrap) Unwrap() error { return e.err }

var (
	errCheckFuel    error = &checkTrap{"out of fuel at a metering check", ErrFuelExhausted}
	errCheckStopped error = &checkTrap{"stopped at a metering check", ErrDeadlineExceeded}
)

// NewHostModule instantiates, in r, the host module HostModule that
// instrumented modules import: its RefuelFunc answers for the Gauge running a
// call on the calling module (see Gauge.Start). Call it once per runtime,
// before instantiating instrumented modules, as with WASI.
//
// A module called without a running Gauge (a start function, or a host
// that drives the globals itself) is served from its exported globals: trap
// if the limit is math.MaxInt64 or the fuel is negative, else set the limit
// to max(0, fuel-Slice).
func NewHostModule(ctx context.Context, r wazero.Runtime) error {
	_, err := r.NewHostModuleBuilder(HostModule).NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(refuel), nil, nil).
		WithName(RefuelFunc).
		Export(RefuelFunc).
		Instantiate(ctx)
	if err != nil {
		return fmt.Errorf("meter: instantiating host module %q: %w", HostModule, err)
	}
	return nil
}

// refuel is RefuelFunc. A panic is how a host function traps in wazero.
func refuel(ctx context.Context, mod api.Module, _ []uint64) {
	var err error
	if g := gaugeOf(ctx, mod); g != nil {
		err = g.refuel()
	} else {
		err = refuelUnmanaged(mod)
	}
	if err != nil {
		panic(err)
	}
}

func refuelUnmanaged(mod api.Module) error {
	fuel, err := exportedI64(mod, FuelExport)
	if err != nil {
		return err
	}
	limit, err := exportedI64(mod, LimitExport)
	if err != nil {
		return err
	}
	return refuelGlobals(fuel, limit, false)
}
