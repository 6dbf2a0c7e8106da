package meter

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// Outcome classifies how a metered call ended.
type Outcome int

const (
	// OK: the call returned normally.
	OK Outcome = iota
	// FuelExhausted: the budget ran out; the guest stopped at a check.
	FuelExhausted
	// DeadlineExceeded: the deadline passed (or ctx was done) and the guest
	// was stopped at its next check.
	DeadlineExceeded
	// Trap: the guest trapped on its own (unreachable, out-of-bounds
	// access, stack overflow, ...) or a host function failed.
	Trap
	// Exit: the guest called WASI proc_exit; the error is a *sys.ExitError.
	Exit
)

// String returns the outcome's snake_case name, e.g. "fuel_exhausted".
func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case FuelExhausted:
		return "fuel_exhausted"
	case DeadlineExceeded:
		return "deadline_exceeded"
	case Trap:
		return "trap"
	case Exit:
		return "exit"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

var (
	// ErrFuelExhausted is the error of a call whose budget ran out, and what
	// ChargeFromHost returns when a host charge empties the budget.
	ErrFuelExhausted = errors.New("fuel exhausted")
	// ErrDeadlineExceeded is the error of a call stopped by its deadline.
	ErrDeadlineExceeded = errors.New("deadline exceeded")
)

// Gauge runs calls on one instantiated, instrumented module under a fuel
// budget and a deadline. A Gauge is not safe for concurrent calls (nor is a
// wazero module instance).
type Gauge struct {
	mod     api.Module
	global  api.MutableGlobal // remaining fuel
	limit   api.MutableGlobal // max(0, fuel-Slice) at the last Start or refuel, or MaxInt64 once stopped
	mu      sync.Mutex        // orders Stop, refuels, host charges and the caller's accesses during a call
	budget  int64             // the current call's budget, set by Start
	stopped bool              // Stop was called during the current call
}

// NewGauge returns a Gauge for a module instantiated from Instrument's
// output. It fails if the module does not export the fuel global.
func NewGauge(mod api.Module) (*Gauge, error) {
	g, err := exportedI64(mod, FuelExport)
	if err != nil {
		return nil, err
	}
	l, err := exportedI64(mod, LimitExport)
	if err != nil {
		return nil, err
	}
	gauge := &Gauge{mod: mod, global: g, limit: l}
	running.Store(mod, gauge)
	return gauge, nil
}

func exportedI64(mod api.Module, name string) (api.MutableGlobal, error) {
	if mod == nil {
		return nil, errors.New("meter: nil module")
	}
	g := mod.ExportedGlobal(name)
	if g == nil {
		return nil, fmt.Errorf("meter: module %q exports no %q global: instrument it with meter.Instrument first", mod.Name(), name)
	}
	mg, ok := g.(api.MutableGlobal)
	if !ok || g.Type() != api.ValueTypeI64 {
		return nil, fmt.Errorf("meter: module %q exports %q but it is not a mutable i64 global", mod.Name(), name)
	}
	return mg, nil
}

// Close unregisters the Gauge from its module; call it when the module is
// closed. A Gauge is registered by NewGauge so that the refuel import finds
// it when the host calls the guest itself (Start, call, Finish) without
// paying for a registration per call.
func (g *Gauge) Close() {
	running.CompareAndDelete(g.mod, g)
}

// Fuel returns the remaining fuel (negative after exhaustion).
func (g *Gauge) Fuel() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return int64(g.global.Get())
}

// SetFuel sets the remaining fuel, clamped to [0, MaxFuel].
func (g *Gauge) SetFuel(fuel int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.global.Set(uint64(clampFuel(fuel)))
}

func clampFuel(f int64) int64 {
	if f < 0 {
		return 0
	}
	if f > MaxFuel {
		return MaxFuel
	}
	return f
}

type gaugeKey struct{}

// Call calls fn with params under a budget of fuel (clamped to
// [0, MaxFuel]) and, unless deadline is zero, a wall-clock deadline. fn must
// be a function of the Gauge's module (or of a module that calls only into
// it). The context passed to host functions carries the deadline, so host
// functions that block should select on ctx.Done().
//
// It returns the results, how the call ended, and the fuel used. Fuel used is
// deterministic for OK and FuelExhausted (it then exceeds the budget by the
// overshoot, see docs/metering.md); for DeadlineExceeded it is the fuel
// charged until the guest stopped. err is nil only for OK; for
// FuelExhausted and DeadlineExceeded it wraps ErrFuelExhausted or
// ErrDeadlineExceeded and the engine's error.
func (g *Gauge) Call(ctx context.Context, fn api.Function, fuel int64, deadline time.Time, params ...uint64) (results []uint64, outcome Outcome, fuelUsed int64, err error) {
	if fn == nil {
		return nil, Trap, 0, errors.New("meter: nil function")
	}
	g.Start(fuel)

	// The watchdog stops the guest first and only then cancels the context
	// seen by host functions, so a host call that returns because of the
	// deadline is always followed by a trapping check.
	inner, cancel := context.WithCancelCause(context.WithValue(ctx, gaugeKey{}, g))
	defer cancel(nil)
	var callCtx context.Context = inner
	if !deadline.IsZero() {
		callCtx = deadlineCtx{inner, deadline}
	}

	var (
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	if !deadline.IsZero() || ctx.Done() != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var timer <-chan time.Time
			if !deadline.IsZero() {
				t := time.NewTimer(time.Until(deadline))
				defer t.Stop()
				timer = t.C
			}
			cause := context.DeadlineExceeded
			select {
			case <-done:
				return
			case <-timer:
			case <-ctx.Done():
				cause = context.Cause(ctx)
			}
			g.Stop()
			cancel(cause)
		}()
	}

	results, err = fn.Call(callCtx, params...)
	close(done)
	wg.Wait()

	outcome, fuelUsed, err = g.Finish(err)
	if outcome == DeadlineExceeded {
		if cause := context.Cause(inner); cause != nil && !errors.Is(cause, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (%v)", err, cause)
		}
	}
	if outcome != OK {
		results = nil
	}
	return results, outcome, fuelUsed, err
}

// Start prepares the Gauge's module for a call under a budget of fuel
// (clamped to [0, MaxFuel]). Call does this itself; a host that runs its own
// calls (with its own watchdog) calls Start, then the function, then Finish.
//
// Between Start and Finish the Gauge answers its module's calls to
// RefuelFunc (see NewHostModule): the guest comes back every Slice units of
// fuel, and traps there once the budget is exhausted or Stop was called.
//
// Start and Finish take no lock, since only the calling goroutine uses the
// Gauge before Start and after Finish: whatever calls Stop from another
// goroutine (a watchdog) must start watching after Start returns and stop
// before Finish is called, with an ordering between them, as Call does (its
// watchdog goroutine starts after Start, and Finish waits for it) and the
// host's watchdog does (armed after Start, disarmed before Finish, under
// its own lock). A warm event took the lock four times, at some 37 ns each
// on the development VM.
func (g *Gauge) Start(fuel int64) {
	fuel = clampFuel(fuel)
	g.budget = fuel
	g.stopped = false
	g.global.Set(uint64(fuel))
	g.limit.Set(uint64(sliceLimit(fuel)))
}

// sliceLimit is the limit that makes the guest call RefuelFunc again after
// Slice more units of fuel, or when the fuel goes negative.
func sliceLimit(fuel int64) int64 {
	if fuel <= Slice {
		return 0
	}
	return fuel - Slice
}

// Stop makes the running call trap at its next check, which Finish then
// reports as DeadlineExceeded. It is safe to call from any goroutine
// while a call runs, between Start and Finish (see Start for the order
// that needs); it has no effect on calls started after it.
func (g *Gauge) Stop() {
	// The guest never writes the limit, and refuel writes it under the
	// same mutex after checking stopped: the guest's next check fails and
	// its refuel traps.
	g.mu.Lock()
	g.stopped = true
	g.limit.Set(uint64(math.MaxInt64))
	g.mu.Unlock()
}

// Stopped reports whether Stop was called during the current call.
func (g *Gauge) Stopped() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stopped || int64(g.limit.Get()) == math.MaxInt64
}

// refuel answers the guest's call to RefuelFunc during a call.
func (g *Gauge) refuel() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return refuelGlobals(g.global, g.limit, g.stopped)
}

// refuelGlobals is the decision of RefuelFunc: trap if stopped or out of
// fuel, else set the limit one slice below the fuel.
func refuelGlobals(fuel, limit api.MutableGlobal, stopped bool) error {
	if stopped || int64(limit.Get()) == math.MaxInt64 {
		return errCheckStopped
	}
	f := int64(fuel.Get())
	if f < 0 {
		return errCheckFuel
	}
	limit.Set(uint64(sliceLimit(f)))
	return nil
}

// Finish classifies how the call begun by Start ended, given the error the
// engine returned, and reports the fuel it used. Fuel used is
// deterministic for OK and FuelExhausted (it then exceeds the budget by the
// overshoot, see docs/metering.md); for DeadlineExceeded it is the fuel
// charged until the guest stopped. err is nil only for OK; for
// FuelExhausted and DeadlineExceeded it wraps ErrFuelExhausted or
// ErrDeadlineExceeded and the engine's error.
func (g *Gauge) Finish(callErr error) (outcome Outcome, fuelUsed int64, err error) {
	// No lock: see Start. One read of the globals, where there were
	// three accesses: each goes through wazero's api.Global, its
	// GlobalInstance and the module engine's offset lookup (two interface
	// calls). Only Stop sets the limit to MaxInt64 during a call (the guest
	// never writes it), and it sets stopped with it; a limit left as the
	// last refuel set it needs no reset, since Start sets it again and a
	// refuel outside a call sets it from the fuel.
	rem := int64(g.global.Get())
	fired := g.stopped
	if fired {
		g.stopped = false
		g.limit.Set(uint64(sliceLimit(rem)))
	}
	fuel := g.budget
	fuelUsed = fuel - rem
	switch {
	case callErr == nil && rem >= 0:
		return OK, fuelUsed, nil
	case callErr == nil:
		// The call finished inside the overshoot after its last check: it
		// still used more than its budget, so it does not count as done.
		return FuelExhausted, fuelUsed, fmt.Errorf("%w after %d units (budget %d): the call returned past its budget", ErrFuelExhausted, fuelUsed, fuel)
	case isExit(callErr):
		return Exit, fuelUsed, callErr
	case fired:
		return DeadlineExceeded, fuelUsed, fmt.Errorf("%w: %w", ErrDeadlineExceeded, callErr)
	case rem < 0:
		return FuelExhausted, fuelUsed, fmt.Errorf("%w after %d units (budget %d): %w", ErrFuelExhausted, fuelUsed, fuel, callErr)
	default:
		return Trap, fuelUsed, callErr
	}
}

func isExit(err error) bool {
	var ee *sys.ExitError
	return errors.As(err, &ee)
}

// ChargeFromHost charges n units of fuel to the instrumented module mod from
// inside a host function it called, so host imports can charge for their own
// work. ctx must be the context the host function received (it finds the
// Gauge running the call, if any). It returns ErrFuelExhausted if the
// budget is now negative and ErrDeadlineExceeded (wrapping ctx's error) if
// the call's deadline passed; a host function should then return early,
// typically by panicking with the error so the guest stops at once (the
// Gauge reports FuelExhausted or DeadlineExceeded all the same). A module
// without the fuel global is not charged and gets no error.
func ChargeFromHost(ctx context.Context, mod api.Module, n int64) error {
	if n < 0 {
		n = 0
	}
	if n > MaxFuel {
		n = MaxFuel
	}
	var mu *sync.Mutex
	var glob, limit api.MutableGlobal
	var stoppedFlag *bool
	if g := gaugeOf(ctx, mod); g != nil {
		mu, glob, limit, stoppedFlag = &g.mu, g.global, g.limit, &g.stopped
	} else {
		var err error
		if glob, err = exportedI64(mod, FuelExport); err != nil {
			return nil
		}
		if limit, err = exportedI64(mod, LimitExport); err != nil {
			return nil
		}
	}
	if mu != nil {
		mu.Lock()
	}
	v := int64(glob.Get())
	if v -= n; v < -MaxFuel {
		v = -MaxFuel
	}
	glob.Set(uint64(v))
	stopped := int64(limit.Get()) == math.MaxInt64
	if stoppedFlag != nil {
		stopped = stopped || *stoppedFlag
	}
	if mu != nil {
		mu.Unlock()
	}
	if err := ctx.Err(); err != nil || stopped {
		if err == nil {
			err = context.DeadlineExceeded
		}
		return fmt.Errorf("%w: %w", ErrDeadlineExceeded, err)
	}
	if v < 0 {
		return ErrFuelExhausted
	}
	return nil
}

// deadlineCtx is the context host functions see during Gauge.Call: it
// reports the call's deadline, and once the watchdog fired, Err returns
// context.DeadlineExceeded (or the parent's error).
type deadlineCtx struct {
	context.Context
	d time.Time
}

func (c deadlineCtx) Deadline() (time.Time, bool) { return c.d, true }

func (c deadlineCtx) Err() error {
	if c.Context.Err() == nil {
		return nil
	}
	return context.Cause(c.Context)
}
