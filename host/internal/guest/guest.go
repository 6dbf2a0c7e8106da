// Package guest is the Wasm side of one app: its compiled module in the
// wazero runtime it shares with the apps of its memory limit (apps of the
// same module share the compiled module), the watchbox host functions,
// instantiating and killing its instance, and calls into it with a fuel budget and a
// deadline (the watchdog), each classified by how it ended (Termination).
//
// It knows nothing of watchOS: which event a call carries, what budget it
// gets and what a request op means are its caller's. The guest's requests
// are answered through a Handler. A Guest is not safe for concurrent use;
// its owner serializes every call (host functions run inside a call, on
// the caller's goroutine).
//
// Swapping the module under a running app (hot reload) is Prepare (the
// Guest's Modules), then Swap; what the app carries across is its owner's business (the
// save_state and restore_state events). Snapshotting and restoring an
// instance, the fuzzer's reset, are the Guest's Snapshots (snapshot.go).
package guest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/sys"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/clock"
	"github.com/watchbox/watchbox/host/internal/linmem"
	"github.com/watchbox/watchbox/host/meter"
	"github.com/watchbox/watchbox/host/profile"
)

// Handler answers the guest's requests (the request host function). It is
// called inside a call, with the Guest's owner holding its lock.
type Handler interface {
	// Request carries out op with its encoded fields and returns the
	// encoded result, or a status other than abi.StatusOK and the reason,
	// in words starting with the op's name, that the guest reads as the
	// request's refusal.
	Request(op abi.Op, args []byte) (res []byte, status abi.Status, reason string)
}

// Config configures a Guest.
type Config struct {
	ID          string // the app's bundle id: argv[0], part of the random seed
	Log         zerolog.Logger
	Cache       wazero.CompilationCache // shared by every app
	MemoryPages uint32                  // the cap on linear memory
	FS          experimentalsys.FS      // mounted at / (see Mount)
	Seed        int64                   // 0: the host's entropy
	Unmetered   bool                    // no fuel, no deadline
	Virtual     bool                    // Clock is virtual: no watchdog timer
	Clock       clock.Clock
	Sched       *clock.Scheduler // advanced by each call's duration
	// Profile returns the device profile in force: its instruction rate
	// turns a call's time budget into fuel.
	Profile func() *profile.Profile
	Handler Handler
	// Coverage gives the guest a coverage map (meter.NewCoverage): for a
	// module instrumented with meter.Extras{Coverage: true}.
	Coverage bool
	// OnRefuse, if set, is told of every request the host refused
	// because the guest sent it malformed (bad argument fields, or
	// arguments outside its memory): one of the fuzzer's findings.
	OnRefuse func(op abi.Op, status abi.Status, reason string)
	// Reuse keeps a killed instance to restore (Snapshots) instead of
	// instantiating the module again, when the module was instrumented
	// with meter.Extras{Snapshots: true}: the fuzzer's reset. Instantiate
	// then snapshots each new instance after its _initialize.
	Reuse bool
}

// memoryAllocator makes the instances' linear memories (package linmem);
// nil is wazero's own, which benchmarks compare it with.
var memoryAllocator = linmem.Allocator()

// Limits on what a guest may pass to host functions in one call.
const (
	maxReply   = 64 << 10 // event_reply
	maxLogLine = 16 << 10 // log; longer messages are truncated
	maxArgs    = 64 << 10 // request
)

// Guest is one app's Wasm side: its hold on a shared wazero runtime and
// on the compiled module and, while the app runs, one instance.
type Guest struct {
	cfg      Config
	rt       *wasmRuntime
	compiled *Module
	hasInit  bool
	start    time.Time // for the guest's monotonic clock
	wd       watchdog
	cc       clock.Call // the running call's clock, valid while inCall
	inCall   bool
	// fuelBudget is the running call's fuel budget; fuelUsedFn reports the
	// fuel it used so far (made once: a method value allocates).
	fuelBudget int64
	fuelUsedFn func() int64
	// fuelOf is the fuel of the last budget at the last instruction
	// rate: most calls have the budget of the call before.
	fuelOf struct {
		budget     time.Duration
		rate, fuel int64
	}
	// outFuel is the fuel the running call pays per byte of output
	// (the profile's output_fuel_per_byte).
	outFuel int64
	// hostCalls counts the running call's watchbox host calls, and
	// hostCallCap is the profile's host_calls_per_call (0: no cap);
	// overCalls says the call was ended for going past it.
	hostCalls, hostCallCap int64
	overCalls              bool
	inst                   *instance

	cov   *meter.Coverage // with Config.Coverage
	snaps Snapshots
}

// instance is one live guest module.
type instance struct {
	// owner is the Guest whose calls the instance serves: its WASI clock
	// and output charge go through it. It changes once, when an instance
	// started away from the call path is adopted (Start, Adopt).
	owner   *Guest
	mod     api.Module
	gauge   *meter.Gauge // nil when unmetered
	event   api.Function
	stack   [2]uint64
	nextID  uint64
	env     []byte // the current event's envelope; nil outside a call
	inEvent bool
	reply   []byte
	result  []byte // the last request's result
	args    []byte // the running request's arguments, copied out of guest memory
	stdout  *logWriter
	stderr  *logWriter
	out     outputBudget // what the running call may still log
	rand    *reseedable
	push    eventBuffer // the push path's buffer; zero: the guest pulls
	pushed  uint64      // calls whose envelope was pushed
}

// eventBuffer is the buffer a guest registered for the push path
// (register_event_buffer, docs/abi.md section 6): the host writes every
// envelope that fits there before calling watchbox_event. It lies inside
// the guest's memory, checked at registration (Wasm memory never shrinks).
type eventBuffer struct {
	mem  api.Memory // nil: none registered
	addr uint32
	size uint32
}

// The instance's WASI clock, sleep and output charge are its owner's.
func (in *instance) walltime() (int64, int32) { return in.owner.walltime() }
func (in *instance) nanotime() int64          { return in.owner.nanotime() }
func (in *instance) nanosleep(ns int64)       { in.owner.nanosleep(ns) }
func (in *instance) chargeOutput(n int)       { in.owner.chargeOutput(n) }

// flush logs the guest's unterminated output lines.
func (in *instance) flush() {
	in.stdout.Flush()
	in.stderr.Flush()
}

// New makes the app's Wasm side in the wazero runtime of its memory limit
// (cfg.MemoryPages), shared with the other apps of that limit (see
// wasmRuntime): the compilation cache, WASI, the meter's refuel function
// and the watchbox host module. Nothing is compiled yet.
func New(ctx context.Context, cfg Config) (*Guest, error) {
	g := &Guest{cfg: cfg, start: cfg.Clock.Now()}
	g.fuelUsedFn = g.fuelUsed
	g.snaps.g = g
	g.wd.timer = time.AfterFunc(time.Hour, g.wd.fire)
	g.wd.timer.Stop()
	rt, err := acquireRuntime(ctx, g)
	if err != nil {
		return nil, err
	}
	if cfg.Coverage {
		if g.cov, err = meter.NewCoverage(ctx, rt.wr); err != nil {
			rt.release(ctx)
			return nil, fmt.Errorf("host: %w", err)
		}
	}
	g.rt = rt
	return g, nil
}

// Modules compiles the modules a Guest runs, in the Guest's wazero runtime,
// for Swap or Start. It does not touch the Guest's state, so it may run
// while the Guest's owner serves a call on another goroutine (a wazero
// runtime compiles concurrently with calls): the old version keeps serving
// while the new one compiles.
type Modules struct{ rt *wasmRuntime }

// Modules returns what compiles the modules of the Guest.
func (g *Guest) Modules() Modules { return Modules{g.rt} }

// Prepare compiles wasm into a module for a later Swap. The error is
// wazero's. A prepared module that is not swapped in must be closed.
// Another app's module of the same bytes is shared, not compiled again.
func (m Modules) Prepare(ctx context.Context, wasm []byte) (*Module, error) {
	return m.rt.compile(ctx, wasm, sha256.Sum256(wasm))
}

// PrepareKeyed is Prepare for a caller that holds a key standing for
// wasm's bytes, so that they are not hashed again to find another app's
// module of the same bytes: two calls with equal keys must pass equal
// bytes, and a key must never equal the SHA-256 of other bytes than
// wasm's (a meter.Entry's Key, or the SHA-256 of wasm itself, qualify).
// wasm is not kept: the caller may release it once this returns.
func (m Modules) PrepareKeyed(ctx context.Context, wasm []byte, key [32]byte) (*Module, error) {
	return m.rt.compile(ctx, wasm, key)
}

// Swap makes cm, from Prepare, the module every instance is made from from
// now on: the live instance, if any, is dropped without any call into it,
// and the previous module is closed. The caller starts a new instance if
// it wants one. Like every other method it runs between calls, never
// inside one. cm must come from this Guest's Modules.
func (g *Guest) Swap(ctx context.Context, cm *Module) {
	g.Kill(ctx)
	old := g.compiled
	g.compiled = cm
	_, g.hasInit = cm.ExportedFunctions()[abi.ExportInitialize]
	if old != nil && old != cm {
		old.Close(ctx)
	}
}

// Coverage returns the guest's coverage map, or nil without
// Config.Coverage.
func (g *Guest) Coverage() *meter.Coverage { return g.cov }

// Mount sets the filesystem mounted at / in the instances started from
// now on (the app's data container, made once its module checked out).
func (g *Guest) Mount(fs experimentalsys.FS) { g.cfg.FS = fs }

// mount is what an instance mounts at /: the Config.FS itself, or with
// Config.Reuse a forwarder to the current one (see Rebind). An instance
// started without a filesystem mounts none, even if a Rebind gives one
// later.
func (g *Guest) mount() experimentalsys.FS {
	if g.cfg.Reuse && g.cfg.FS != nil {
		return mountFS{g: g}
	}
	return g.cfg.FS
}

// Close stops the Guest for good: its instance, its hold on the compiled
// module and on the runtime.
func (g *Guest) Close(ctx context.Context) error {
	g.Kill(ctx)
	if g.snaps.parked != nil {
		g.closeInstance(ctx, g.snaps.parked)
		g.snaps.parked = nil
	}
	g.wd.timer.Stop()
	if g.compiled != nil {
		g.compiled.Close(ctx)
		g.compiled = nil
	}
	return g.rt.release(ctx)
}

// Module returns the live instance's module, or nil: for benchmarks that
// call it directly.
func (g *Guest) Module() api.Module {
	if g.inst == nil {
		return nil
	}
	return g.inst.mod
}

// PushPath is what the live instance did with the push path (docs/abi.md
// section 6), for tests and benchmarks: where the buffer it registered
// lies and how many calls had their envelope written there.
type PushPath struct {
	// Registered is false when the guest registered no buffer: it reads
	// every envelope with event_read.
	Registered bool
	Addr, Size uint32 // the registered buffer, in the instance's memory
	// Pushed counts the calls whose envelope was pushed into the buffer
	// rather than left for event_read.
	Pushed uint64
}

// PushPath returns the live instance's push path; the zero PushPath when
// there is no instance.
func (g *Guest) PushPath() PushPath {
	if g.inst == nil {
		return PushPath{}
	}
	p := PushPath{Pushed: g.inst.pushed}
	if g.inst.push.mem != nil {
		p.Registered, p.Addr, p.Size = true, g.inst.push.addr, g.inst.push.size
	}
	return p
}

// Running reports whether an instance is alive.
func (g *Guest) Running() bool { return g.inst != nil }

// Kill drops the instance, if any, without any call into it.
func (g *Guest) Kill(ctx context.Context) {
	if g.inst == nil {
		return
	}
	if !g.snaps.park(ctx) {
		g.closeInstance(ctx, g.inst)
	}
	g.inst = nil
}

// Crash is an instance that died while it started or during a call.
type Crash struct {
	Termination Termination
	Reason      string // the trap, exit or budget message
	Fuel        int64  // fuel the call used
	// Stderr is the Go runtime's fatal report (its first line names the
	// cause, then the goroutines' stacks), or nil when it printed none.
	Stderr []string
	// HostCalls says the call was ended for making more than the
	// profile's host_calls_per_call watchbox host calls.
	HostCalls bool
}

func (c *Crash) Error() string { return string(c.Termination) + ": " + c.Reason }

// Instantiate starts a new instance of the compiled module and runs its
// _initialize under budget. salt makes each instance's seeded randomness
// differ (the launch number). A guest failure is a *Crash, and leaves no
// instance.
func (g *Guest) Instantiate(ctx context.Context, salt uint64, budget time.Duration) error {
	if g.snaps.unpark(ctx, salt) {
		return nil
	}
	in := &instance{owner: g, rand: &reseedable{r: randSource(g.cfg, salt)}}
	g.inst = in // host functions called from _initialize see it
	in.stdout = newLogWriter(g.cfg.Log, "stdout", 0, &in.out, in.chargeOutput)
	in.stderr = newLogWriter(g.cfg.Log, "stderr", 16, &in.out, in.chargeOutput)
	mc := wazero.NewModuleConfig().
		WithName("").
		WithArgs(g.cfg.ID).
		WithStdout(in.stdout).
		WithStderr(in.stderr).
		WithFSConfig(wazero.NewFSConfig().(sysfs.FSConfig).WithSysFSMount(g.mount(), "/")).
		WithWalltime(in.walltime, sys.ClockResolution(time.Microsecond)).
		WithNanotime(in.nanotime, sys.ClockResolution(1)).
		WithNanosleep(in.nanosleep).
		WithRandSource(in.rand)
	// _initialize runs below, under the launch budget, not as a start
	// function that no fuel budget or deadline could stop.
	mc = mc.WithStartFunctions()
	// The linear memory is a reservation up to the memory limit outside
	// the Go heap (package linmem): growing it copies nothing.
	mod, err := g.rt.wr.InstantiateModule(experimental.WithMemoryAllocator(ctx, memoryAllocator), g.compiled.CompiledModule, mc)
	if err != nil {
		g.inst = nil
		return newCrash(TerminationTrap, err, in.stderr, 0, "")
	}
	in.mod = mod
	// The host functions find this Guest from the calling module.
	g.rt.guests.Store(mod, g)
	in.event = mod.ExportedFunction(abi.ExportEvent)
	if !g.cfg.Unmetered {
		if in.gauge, err = meter.NewGauge(mod); err != nil {
			g.inst = nil
			g.rt.guests.Delete(mod)
			mod.Close(ctx)
			return fmt.Errorf("host: %s: %w", g.cfg.ID, err)
		}
	}
	if g.hasInit {
		var elapsed time.Duration
		_, prof := g.begin(budget)
		term, fuel, elapsed, err := g.invoke(ctx, prof, mod.ExportedFunction(abi.ExportInitialize), nil, budget)
		g.snaps.initTime = elapsed
		if err == nil && mod.IsClosed() {
			// proc_exit(0) in _initialize closes the module without an error.
			term, err = TerminationExit, sys.NewExitError(0)
		}
		if err != nil {
			g.inst = nil
			if in.gauge != nil {
				in.gauge.Close()
			}
			g.rt.guests.Delete(mod)
			mod.Close(ctx)
			c := newCrash(term, err, in.stderr, fuel, "_initialize: ")
			if g.overCalls {
				c.HostCalls, c.Reason = true, "_initialize: "+hostCallsReason(g.hostCallCap)
			}
			return c
		}
	}
	if g.cfg.Reuse && g.snaps.ok {
		// A module whose tables are written is instantiated every time.
		_ = g.snaps.Take()
	}
	return nil
}

// randSource is the random source of an instance of the Guest of cfg
// started with salt.
func randSource(cfg Config, salt uint64) io.Reader {
	if cfg.Seed == 0 {
		return rand.Reader
	}
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(cfg.Seed))
	binary.LittleEndian.PutUint64(seed[8:], salt)
	copy(seed[16:], cfg.ID)
	return mrand.NewChaCha8(seed)
}

// Result is how one call into the instance went.
type Result struct {
	ID       uint64        // the event's id in its envelope
	Start    time.Time     // when the call started, on the runtime's clock
	Duration time.Duration // virtual: its CPU time plus sleeps
	Fuel     int64         // fuel the call used (0 when unmetered)
	Status   abi.Status    // the guest's answer, when it survived
	Message  string        // the reply's message, when Status is a failure
	// Details are the reply's details, when Status is a failure: the Go
	// SDK sends a recovered panic's stack trace.
	Details string
	// Reply is a copy of the fields the guest replied with (event_reply)
	// when Status is ok and it replied: save_state's state,
	// smart_alarm_repeat's next interval.
	Reply []byte
	// Crash is set when the instance died in the call; it is still
	// there, for the caller to Kill.
	Crash *Crash
}

// Call delivers one event of kind, with encoded fields, to the instance
// under a time budget, and writes how it went into *res (whatever res
// held is overwritten; Call keeps no pointer to it). There must be an
// instance. The Result is the caller's so that it is not copied out:
// some 140 bytes, on a warm event's path.
func (g *Guest) Call(ctx context.Context, kind abi.EventKind, fields []byte, budget time.Duration, res *Result) {
	in := g.inst
	in.nextID++
	// One clock read starts the call: the envelope's time, the call's
	// clock and its deadline all come from it.
	start, prof := g.begin(budget)
	in.env = abi.AppendHeader(in.env[:0], abi.Header{
		Version: abi.Version, Kind: kind, ID: in.nextID, Time: start.UnixNano(),
	})
	in.env = append(in.env, fields...)
	in.reply = in.reply[:0]
	in.inEvent = true
	in.stack[0] = uint64(kind)
	in.stack[1] = uint64(len(in.env))
	// The push path: the envelope goes into the guest's buffer, and the
	// size argument says so. event_read still serves it.
	if p := in.push; p.mem != nil && uint64(len(in.env)) <= uint64(p.size) && p.mem.Write(p.addr, in.env) {
		in.stack[1] |= uint64(abi.SizePushed)
		in.pushed++
	}
	term, fuel, elapsed, err := g.invoke(ctx, prof, in.event, in.stack[:], budget)
	in.inEvent = false
	// Field by field: a composite literal is built on the stack and then
	// copied, which showed in a warm event's profile.
	res.ID, res.Start, res.Duration, res.Fuel = in.nextID, start, elapsed, fuel
	res.Status, res.Message, res.Details, res.Reply, res.Crash = 0, "", "", nil, nil
	if err != nil {
		res.Crash = newCrash(term, err, in.stderr, fuel, "")
		if g.overCalls {
			res.Crash.HostCalls, res.Crash.Reason = true, hostCallsReason(g.hostCallCap)
		}
		return
	}
	in.stderr.EndFatal()
	res.Status = abi.Status(int32(in.stack[0]))
	switch {
	case res.Status == abi.StatusOK && len(in.reply) > 0:
		res.Reply = append([]byte(nil), in.reply...)
	case res.Status != abi.StatusOK && res.Status != abi.StatusUnhandled:
		res.Message, res.Details = replyText(in.reply)
	}
}

// chargeOutput charges the running call output_fuel_per_byte for each of
// n bytes the guest wrote to stdout, stderr or the log import, so that a
// flood of output costs CPU budget as the host's work for it costs time.
// When the charge empties the budget it panics with the meter's error,
// inside the host function, so the guest stops at once and the call ends
// as cpu_time_exceeded.
func (g *Guest) chargeOutput(n int) {
	in := g.inst
	if !g.inCall || in == nil || in.gauge == nil || in.mod == nil || g.outFuel == 0 {
		return
	}
	if err := meter.ChargeFromHost(context.Background(), in.mod, g.outFuel*int64(n)); err != nil {
		panic(err)
	}
}

// countHostCall counts one watchbox host call of g's running call. Past
// the profile's host_calls_per_call it empties the call's fuel budget and
// panics with the meter's error, inside the host function, as
// chargeOutput does: the guest stops at once and the call ends as
// cpu_time_exceeded, its crash saying which cap (hostCallsReason). An
// unmetered guest is stopped by the panic alone (a trap).
func countHostCall(g *Guest, ctx context.Context) {
	if !g.inCall || g.hostCallCap == 0 {
		return
	}
	g.hostCalls++
	if g.hostCalls <= g.hostCallCap {
		return
	}
	g.overCalls = true
	err := errHostCalls
	if in := g.inst; in != nil && in.gauge != nil && in.mod != nil {
		if e := meter.ChargeFromHost(ctx, in.mod, meter.MaxFuel); e != nil {
			err = e
		}
	}
	panic(err)
}

// errHostCalls stops an unmetered guest past host_calls_per_call.
var errHostCalls = errors.New("host: too many host calls in one call (host_calls_per_call)")

// hostCallsReason is the crash reason of a call ended by
// host_calls_per_call.
func hostCallsReason(limit int64) string {
	return fmt.Sprintf("the call made more than %d watchbox host calls (event_read, event_reply, log, request, result_read): host_calls_per_call=%d", limit, limit)
}

// fuelUsed is the fuel the running call has used so far.
func (g *Guest) fuelUsed() int64 { return g.fuelBudget - g.inst.gauge.Fuel() }

// Now is the guest's time: inside a call, the call's clock (under the
// virtual clock it includes the CPU time the call has used so far);
// otherwise the runtime's clock.
func (g *Guest) Now() time.Time {
	if g.inCall {
		return g.cc.Now()
	}
	return g.cfg.Clock.Now()
}

func (g *Guest) walltime() (int64, int32) {
	t := g.Now()
	return t.Unix(), int32(t.Nanosecond())
}

func (g *Guest) nanotime() int64 { return int64(g.Now().Sub(g.start)) }

// nanosleep is the guest's sleep. Under the virtual clock it moves the
// call's time without blocking. It never sleeps past the call's deadline
// and returns early when the call is stopped (deadline or interrupt); a
// guest that meant to sleep longer is stopped, since it would outlive its
// budget.
func (g *Guest) nanosleep(ns int64) {
	if !g.inCall {
		return
	}
	if !g.cc.Sleep(time.Duration(ns)) {
		g.wd.stopNow()
	}
}

// begin starts the call clock of a call under budget, reading the
// runtime's clock once, and returns the call's start and the device
// profile in force for it. invoke then makes the call.
func (g *Guest) begin(budget time.Duration) (time.Time, *profile.Profile) {
	prof := g.cfg.Profile()
	var fuelUsed func() int64
	if g.inst.gauge != nil {
		fuelUsed = g.fuelUsedFn
	}
	return g.cc.Begin(g.cfg.Clock, prof.InstructionRate, fuelUsed, budget), prof
}

// invoke calls fn with stack under a time budget, the call that begin
// started with prof: a fuel budget of budget*InstructionRate and a
// deadline of budget from the call's start. It returns how a failed call
// ended, the fuel used, the call's duration (virtual: its CPU time plus
// sleeps) and the engine's error. Under the virtual clock the runtime's
// clock then moves on by the call's duration.
func (g *Guest) invoke(ctx context.Context, prof *profile.Profile, fn api.Function, stack []uint64, budget time.Duration) (Termination, int64, time.Duration, error) {
	gauge := g.inst.gauge
	if gauge != nil {
		// The budget's fuel is worked out again only when the budget or
		// the instruction rate changed (a floating-point division).
		if budget != g.fuelOf.budget || prof.InstructionRate != g.fuelOf.rate {
			g.fuelOf.budget, g.fuelOf.rate, g.fuelOf.fuel = budget, prof.InstructionRate, prof.Fuel(budget)
		}
		g.fuelBudget = g.fuelOf.fuel
		gauge.Start(g.fuelBudget)
	}
	// The watchdog is armed after Start and disarmed before Finish: it may
	// stop the gauge only in between (see meter.Gauge.Start). The deadline
	// is start plus budget, which the call's clock works out only if it
	// needs it.
	g.cc.SetStop(g.wd.arm(gauge, g.cc.StartNanos(), budget, !g.cfg.Virtual))
	g.outFuel = int64(prof.OutputFuelPerByte)
	g.hostCalls, g.hostCallCap, g.overCalls = 0, int64(prof.HostCallsPerCall), false
	g.inst.out = outputBudget{left: int64(prof.OutputBytesPerCall)}
	g.inCall = true
	var stopAfter func() bool
	if ctx.Done() != nil {
		stopAfter = context.AfterFunc(ctx, g.wd.interrupt)
	}
	err := fn.CallWithStack(ctx, stack)
	interrupted := g.wd.disarm()
	if stopAfter != nil {
		stopAfter()
	}
	g.inCall = false
	elapsed := g.cc.Elapsed()
	g.cfg.Sched.Advance(elapsed)
	g.inst.flush()
	if d := g.inst.out.dropped; d > 0 {
		g.cfg.Log.Warn().Str("source", "output").Int64("dropped_bytes", d).Int("output_bytes_per_call", prof.OutputBytesPerCall).
			Msgf("%d bytes of output dropped: the call wrote more than output_bytes_per_call", d)
	}
	if gauge == nil {
		return classify(meter.Trap, err), 0, elapsed, err
	}
	outcome, fuel, err := gauge.Finish(err)
	if outcome == meter.OK {
		return "", fuel, elapsed, nil
	}
	if interrupted && outcome == meter.DeadlineExceeded {
		return TerminationInterrupted, fuel, elapsed, err
	}
	return classify(outcome, err), fuel, elapsed, err
}

// newCrash builds the crash of a call that ended as term with err: when
// the guest's stderr holds a Go runtime fatal report and the call ended
// in a trap or an exit, the report names the termination and the reason,
// and is kept whole in the crash record.
func newCrash(term Termination, err error, stderr *logWriter, fuel int64, prefix string) *Crash {
	c := &Crash{Termination: term, Reason: prefix + crashReason(err, stderr), Fuel: fuel}
	if lines := stderr.Fatal(); lines != nil {
		c.Stderr = lines
		if term == TerminationTrap || term == TerminationExit {
			if t, line := classifyFatal(lines); t != "" {
				c.Termination, c.Reason = t, prefix+line
			}
		}
	}
	return c
}

// crashReason turns a wazero call error into a one-line reason, with the
// guest's last stderr lines when it exited (a Go runtime fatal error prints
// its cause there before exiting).
func crashReason(err error, stderr *logWriter) string {
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		msg := fmt.Sprintf("exited with code %d", exit.ExitCode())
		if tail := stderr.Tail(); len(tail) > 0 {
			msg += ": " + quoteTail(tail)
		}
		return msg
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

// replyText returns the message and error fields of an encoded reply
// (the first of each), if any.
func replyText(reply []byte) (message, details string) {
	var m msg.Reply
	m.Decode(reply) // a reply that does not decode has no text to show
	return m.Message, m.Error
}
