package host

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/sched"
	"github.com/watchbox/watchbox/host/meter"
)

// Limits on what a guest may pass to host functions in one call.
const (
	maxReply   = 64 << 10 // event_reply
	maxLogLine = 16 << 10 // log; longer messages are truncated
	maxArgs    = 64 << 10 // request
)

// instance is one live guest module. It belongs to an App and is only used
// with the App's mutex held.
type instance struct {
	mod     api.Module
	gauge   *meter.Gauge // nil when unmetered
	event   api.Function
	stack   [2]uint64
	nextID  uint64
	env     []byte // the current event's envelope; nil outside a call
	inEvent bool
	reply   []byte
	result  []byte // the last request's result
	stdout  *logWriter
	stderr  *logWriter
}

// flush logs the guest's unterminated output lines.
func (in *instance) flush() {
	in.stdout.Flush()
	in.stderr.Flush()
}

// newRuntime builds the app's private wazero runtime: memory capped by the
// manifest, the shared compilation cache, WASI, and the watchbox host module
// bound to a.
func (a *App) newRuntime(ctx context.Context, memoryPages uint32) (wazero.Runtime, error) {
	rcfg := wazero.NewRuntimeConfig().
		WithCompilationCache(a.rt.cache).
		WithMemoryLimitPages(memoryPages)
	wr := wazero.NewRuntimeWithConfig(ctx, rcfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, wr); err != nil {
		wr.Close(ctx)
		return nil, fmt.Errorf("host: WASI: %w", err)
	}
	// The instrumented module imports the meter's refuel function: metered
	// guests return to Go every meter.Slice units of fuel, so a spinning
	// guest cannot hold up a GC (and every other app) until its fuel runs out.
	if err := meter.NewHostModule(ctx, wr); err != nil {
		wr.Close(ctx)
		return nil, fmt.Errorf("host: %w", err)
	}
	b := wr.NewHostModuleBuilder(abi.ImportModule)
	i32 := api.ValueTypeI32
	fn := func(name string, f api.GoModuleFunc, params ...api.ValueType) {
		b.NewFunctionBuilder().WithGoModuleFunction(f, params, []api.ValueType{i32}).Export(name)
	}
	fn(abi.FuncEventRead, a.hostEventRead, i32, i32)
	fn(abi.FuncEventReply, a.hostEventReply, i32, i32)
	fn(abi.FuncLog, a.hostLog, i32, i32, i32)
	fn(abi.FuncRequest, a.hostRequest, i32, i32, i32)
	fn(abi.FuncResultRead, a.hostResultRead, i32, i32)
	if _, err := b.Instantiate(ctx); err != nil {
		wr.Close(ctx)
		return nil, fmt.Errorf("host: watchbox host module: %w", err)
	}
	return wr, nil
}

// instantiate starts a new instance of the app's module, running its
// _initialize. A guest failure here is a *CrashError.
func (a *App) instantiate(ctx context.Context) (*instance, error) {
	in := &instance{}
	a.inst = in // host functions called from _initialize see it
	in.stdout = newLogWriter(a.log, "stdout", 0)
	in.stderr = newLogWriter(a.log, "stderr", 16)
	var randSrc io.Reader = rand.Reader
	if a.rt.cfg.Seed != 0 {
		var seed [32]byte
		binary.LittleEndian.PutUint64(seed[:], uint64(a.rt.cfg.Seed))
		binary.LittleEndian.PutUint64(seed[8:], a.launches)
		copy(seed[16:], a.id)
		randSrc = mrand.NewChaCha8(seed)
	}
	mc := wazero.NewModuleConfig().
		WithName("").
		WithArgs(a.id).
		WithStdout(in.stdout).
		WithStderr(in.stderr).
		WithFSConfig(wazero.NewFSConfig().(sysfs.FSConfig).WithSysFSMount(a.fs, "/")).
		WithWalltime(a.walltime, sys.ClockResolution(time.Microsecond)).
		WithNanotime(a.nanotime, sys.ClockResolution(1)).
		WithNanosleep(a.nanosleep).
		WithRandSource(randSrc)
	// _initialize runs below, under the launch budget, not as a start
	// function that no fuel budget or deadline could stop.
	mc = mc.WithStartFunctions()
	mod, err := a.wr.InstantiateModule(ctx, a.compiled, mc)
	if err != nil {
		a.inst = nil
		return nil, &CrashError{App: a.id, Termination: TerminationTrap, Reason: crashReason(err, in.stderr)}
	}
	in.mod = mod
	in.event = mod.ExportedFunction(abi.ExportEvent)
	if !a.rt.cfg.Unmetered {
		if in.gauge, err = meter.NewGauge(mod); err != nil {
			a.inst = nil
			mod.Close(ctx)
			return nil, fmt.Errorf("host: %s: %w", a.id, err)
		}
	}
	if a.hasInit {
		term, fuel, _, err := a.invoke(ctx, mod.ExportedFunction(abi.ExportInitialize), nil, a.rt.rules.profile().LaunchTime.D())
		if err == nil && mod.IsClosed() {
			// proc_exit(0) in _initialize closes the module without an error.
			term, err = TerminationExit, sys.NewExitError(0)
		}
		if err != nil {
			a.inst = nil
			if in.gauge != nil {
				in.gauge.Close()
			}
			mod.Close(ctx)
			return nil, &CrashError{App: a.id, Termination: term, Reason: "_initialize: " + crashReason(err, in.stderr), Fuel: fuel}
		}
	}
	return in, nil
}

// invoke calls fn with stack under a time budget: a fuel budget of
// budget*InstructionRate and a deadline of budget from the call's start,
// on the runtime's clock. It returns how a failed call ended, the fuel used,
// the call's duration (virtual: its CPU time plus sleeps) and the engine's
// error. Under the virtual clock the runtime's clock then moves on by the
// call's duration. It must be called with the App's mutex held.
func (a *App) invoke(ctx context.Context, fn api.Function, stack []uint64, budget time.Duration) (Termination, int64, time.Duration, error) {
	g := a.inst.gauge
	start := a.rt.clock.Now()
	prof := a.rt.rules.profile()
	cfg := sched.CallConfig{
		Rate:     prof.InstructionRate,
		Deadline: start.Add(budget),
		Stop:     a.wd.arm(g, budget, !a.rt.cfg.Virtual),
	}
	if g != nil {
		a.fuelBudget = prof.Fuel(budget)
		g.Start(a.fuelBudget)
		cfg.FuelUsed = a.fuelUsedFn
	}
	a.cc.ResetAt(a.rt.clock, start, cfg)
	a.inCall = true
	var stopAfter func() bool
	if ctx.Done() != nil {
		stopAfter = context.AfterFunc(ctx, a.wd.interrupt)
	}
	err := fn.CallWithStack(ctx, stack)
	interrupted := a.wd.disarm()
	if stopAfter != nil {
		stopAfter()
	}
	a.inCall = false
	elapsed := a.cc.Elapsed()
	a.rt.sched.Advance(elapsed)
	a.inst.flush()
	if g == nil {
		return classify(meter.Trap, err), 0, elapsed, err
	}
	outcome, fuel, err := g.Finish(err)
	if outcome == meter.OK {
		return "", fuel, elapsed, nil
	}
	if interrupted && outcome == meter.DeadlineExceeded {
		return TerminationInterrupted, fuel, elapsed, err
	}
	return classify(outcome, err), fuel, elapsed, err
}

func classify(o meter.Outcome, err error) Termination {
	switch {
	case err == nil:
		return ""
	case o == meter.FuelExhausted:
		return TerminationCPU
	case o == meter.DeadlineExceeded:
		return TerminationWall
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return TerminationExit
	}
	return TerminationTrap
}

// watchdog stops an app's running call at its deadline, or when the host is
// interrupted, by stopping the call's Gauge; the guest then traps at its next
// metering check, and a guest sleeping in the host wakes up (stop channel).
// One timer per app is reused for every call; under the virtual clock the
// timer is not used, since fuel and the call's clock bound the call.
type watchdog struct {
	timer *time.Timer
	mu    sync.Mutex
	gauge *meter.Gauge // the running call's gauge; nil when idle or unmetered
	due   time.Time    // the running call's deadline
	intr  bool         // the running call was interrupted
	stop  chan struct{}
	shut  bool // stop is closed
}

// arm starts watching a call and returns the channel closed when it must
// stop.
func (w *watchdog) arm(g *meter.Gauge, budget time.Duration, realTime bool) <-chan struct{} {
	w.mu.Lock()
	w.gauge, w.due, w.intr = g, time.Now().Add(budget), false
	if w.stop == nil || w.shut {
		w.stop, w.shut = make(chan struct{}), false
	}
	stop := w.stop
	w.mu.Unlock()
	if realTime {
		w.timer.Reset(budget)
	}
	return stop
}

// disarm ends the call's watch and reports whether it was interrupted.
func (w *watchdog) disarm() bool {
	w.timer.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.gauge = nil
	return w.intr
}

// fire runs on the timer. A timer armed for an earlier call can fire late;
// comparing with the running call's deadline makes it harmless.
func (w *watchdog) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !time.Now().Before(w.due) {
		w.stopLocked()
	}
}

func (w *watchdog) interrupt() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.intr = true
	w.stopLocked()
}

// stopNow stops the running call, from inside it (a guest that would sleep
// past its deadline).
func (w *watchdog) stopNow() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopLocked()
}

func (w *watchdog) stopLocked() {
	if w.gauge != nil {
		w.gauge.Stop()
	}
	if w.stop != nil && !w.shut {
		close(w.stop)
		w.shut = true
	}
}

// crashReason turns a wazero call error into a one-line reason, with the
// guest's last stderr lines when it exited (a Go runtime fatal error prints
// its cause there before exiting).
func crashReason(err error, stderr *logWriter) string {
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		msg := fmt.Sprintf("exited with code %d", exit.ExitCode())
		if tail := stderr.Tail(); len(tail) > 0 {
			msg += ": " + strings.Join(tail, " | ")
		}
		return msg
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

// call delivers one event to the instance and returns the guest's status.
// It must be called with the App's mutex held.
func (a *App) call(ctx context.Context, kind abi.EventKind, fields []byte) (Call, error) {
	in := a.inst
	in.nextID++
	in.env = abi.AppendHeader(in.env[:0], abi.Header{
		Version: abi.Version, Kind: kind, ID: in.nextID, Time: a.rt.clock.Now().UnixNano(),
	})
	in.env = append(in.env, fields...)
	in.reply = in.reply[:0]
	in.inEvent = true
	in.stack[0] = uint64(kind)
	in.stack[1] = uint64(len(in.env))
	term, fuel, elapsed, err := a.invoke(ctx, in.event, in.stack[:], a.budget(kind))
	in.inEvent = false
	c := Call{App: a.id, Time: a.cc.Start(), Event: kind, ID: in.nextID, Duration: elapsed, Fuel: fuel}
	if err != nil {
		crash := &CrashError{App: a.id, Event: kind, Termination: term, Reason: crashReason(err, in.stderr), Fuel: fuel}
		a.kill(ctx)
		a.crashes++
		c.Crash, c.Termination = crash.Reason, term
		c.State = a.state
		a.record(c)
		return c, crash
	}
	c.Status = abi.Status(int32(in.stack[0]))
	c.State = a.state
	var herr error
	if c.Status != abi.StatusOK && c.Status != abi.StatusUnhandled {
		c.Message = replyMessage(in.reply)
		herr = &HandlerError{App: a.id, Event: kind, Status: c.Status, Message: c.Message}
	}
	a.record(c)
	return c, herr
}

// budget returns the time budget of a call of kind, from the profile.
func (a *App) budget(kind abi.EventKind) time.Duration {
	p := a.rt.rules.profile()
	switch kind {
	case abi.EventDidFinishLaunching:
		return p.LaunchTime.D()
	case abi.EventWillEnterForeground, abi.EventDidBecomeActive, abi.EventWillResignActive, abi.EventDidEnterBackground:
		return p.LifecycleTime.D()
	case abi.EventBackgroundTasks:
		return p.TaskTime.D()
	case abi.EventRemoteNotification:
		return p.PushRunTime.D()
	}
	return p.EventTime.D()
}

// replyMessage returns the message field of an encoded reply, if any.
func replyMessage(reply []byte) string {
	r := abi.NewReader(reply)
	for r.Next() {
		if v := r.Value(); v.Key == abi.FieldMessage {
			s, _ := v.Text()
			return s
		}
	}
	return ""
}

// Host functions. Each runs inside a guest call, with the App's mutex held
// by the caller of that guest call. Every pointer and length is checked
// against the guest's memory; failures return a negated abi.Status.

func fail(stack []uint64, s abi.Status) { stack[0] = uint64(uint32(-int32(s))) }
func ok(stack []uint64, n int)          { stack[0] = uint64(uint32(int32(n))) }

// copyOut writes data to (ptr, limit) when it fits and returns its size.
func copyOut(mod api.Module, stack []uint64, data []byte) {
	ptr, limit := uint32(stack[0]), uint32(stack[1])
	if uint64(len(data)) <= uint64(limit) {
		if !mod.Memory().Write(ptr, data) {
			fail(stack, abi.StatusInvalidMemory)
			return
		}
	}
	ok(stack, len(data))
}

func (a *App) hostEventRead(ctx context.Context, mod api.Module, stack []uint64) {
	if a.inst == nil || !a.inst.inEvent {
		fail(stack, abi.StatusNoEvent)
		return
	}
	copyOut(mod, stack, a.inst.env)
}

func (a *App) hostEventReply(ctx context.Context, mod api.Module, stack []uint64) {
	if a.inst == nil || !a.inst.inEvent {
		fail(stack, abi.StatusNoEvent)
		return
	}
	ptr, size := uint32(stack[0]), uint32(stack[1])
	if size > maxReply {
		fail(stack, abi.StatusLimit)
		return
	}
	b, okRead := mod.Memory().Read(ptr, size)
	if !okRead {
		fail(stack, abi.StatusInvalidMemory)
		return
	}
	r := abi.NewReader(b)
	for r.Next() {
	}
	if r.Err() != nil {
		fail(stack, abi.StatusBadArgument)
		return
	}
	a.inst.reply = append(a.inst.reply[:0], b...)
	ok(stack, 0)
}

func (a *App) hostLog(ctx context.Context, mod api.Module, stack []uint64) {
	level, ptr, size := abi.Level(int32(stack[0])), uint32(stack[1]), uint32(stack[2])
	if level < abi.LevelDebug || level > abi.LevelError {
		fail(stack, abi.StatusBadArgument)
		return
	}
	truncated := size > maxLogLine
	if truncated {
		size = maxLogLine
	}
	b, okRead := mod.Memory().Read(ptr, size)
	if !okRead {
		fail(stack, abi.StatusInvalidMemory)
		return
	}
	ev := a.log.WithLevel(zerologLevel(level)).Str("source", "guest")
	if truncated {
		ev = ev.Bool("truncated", true)
	}
	ev.Msg(strings.ToValidUTF8(string(b), "\uFFFD"))
	ok(stack, 0)
}

func (a *App) hostRequest(ctx context.Context, mod api.Module, stack []uint64) {
	op, ptr, size := abi.Op(uint32(stack[0])), uint32(stack[1]), uint32(stack[2])
	if size > maxArgs {
		fail(stack, abi.StatusLimit)
		return
	}
	args, okRead := mod.Memory().Read(ptr, size)
	if !okRead {
		fail(stack, abi.StatusInvalidMemory)
		return
	}
	res, status := a.request(op, args)
	if status != abi.StatusOK {
		a.inst.result = a.inst.result[:0]
		fail(stack, status)
		return
	}
	a.inst.result = res
	ok(stack, len(res))
}

func (a *App) hostResultRead(ctx context.Context, mod api.Module, stack []uint64) {
	copyOut(mod, stack, a.inst.result)
}

// request carries out one system request from the guest.
func (a *App) request(op abi.Op, args []byte) ([]byte, abi.Status) {
	r := abi.NewReader(args)
	for r.Next() {
	}
	if r.Err() != nil {
		return nil, abi.StatusBadArgument
	}
	switch op {
	case abi.OpScheduleBackgroundRefresh:
		return a.scheduleRefresh(args)
	case abi.OpScheduleSnapshotRefresh:
		return a.scheduleSnapshot(args)
	case abi.OpCompleteTask:
		return a.completeTask(args)
	case abi.OpCompleteSnapshotTask:
		return a.completeSnapshotTask(args)
	case abi.OpSendToPhone:
		return a.sendToPhone(args)
	case abi.OpStartDownload:
		return a.startDownload(args)
	case abi.OpUpdateComplication:
		return a.updateComplication(args)
	case abi.OpScheduleNotification:
		return a.scheduleNotification(args)
	case abi.OpCancelNotification:
		return a.cancelNotificationOp(args)
	case abi.OpAppInfo:
		var w abi.Writer
		w.String(abi.FieldBundleID, a.id)
		w.Int(abi.FieldAppState, int64(a.state))
		w.Int(abi.FieldLaunchCount, int64(a.launches))
		w.Bool(abi.FieldCold, a.cold)
		if a.manifest.Settings != nil {
			w.Blob(abi.FieldPayload, a.manifest.Settings)
		}
		return w.Bytes(), abi.StatusOK
	}
	return nil, abi.StatusUnsupported
}
