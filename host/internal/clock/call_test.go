package clock

import (
	"context"
	"math"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/profile"
)

func TestCPUTime(t *testing.T) {
	const watch = 250_000_000 // profile.Default().InstructionRate
	for _, c := range []struct {
		fuel, rate int64
		want       time.Duration
	}{
		{watch, watch, time.Second},
		{watch / 2, watch, 500 * time.Millisecond},
		{1, watch, 4 * time.Nanosecond},
		{3, watch, 12 * time.Nanosecond},
		{15 * watch, watch, 15 * time.Second},
		{1, 3, 333_333_333},               // rounded down
		{2, 3, 666_666_666},               // rounded down
		{1e15, watch, 4e6 * 1e9},          // 46 days: exact, no overflow in fuel*1e9
		{math.MaxInt64, 1, math.MaxInt64}, // saturates
		{math.MaxInt64, watch, math.MaxInt64},
		{0, watch, 0},
		{-5, watch, 0},
		{watch, 0, 0},
		{watch, -1, 0},
	} {
		if got := CPUTime(c.fuel, c.rate); got != c.want {
			t.Errorf("CPUTime(%d, %d) = %d, want %d", c.fuel, c.rate, got, c.want)
		}
	}

	// It agrees with the profile's floating-point conversion to within a
	// nanosecond, so budgets (profile.Fuel) and clocks line up.
	p := profile.Default()
	for _, fuel := range []int64{1, 7, 1000, 123_456_789, p.Fuel(15 * time.Second), 98_765_432_109} {
		got, want := CPUTime(fuel, p.InstructionRate), p.CPUTime(fuel)
		if d := got - want; d < -1 || d > 1 {
			t.Errorf("CPUTime(%d) = %v, profile says %v", fuel, got, want)
		}
	}
}

// fuelCounter is a stand-in for the metering global: fuel used so far.
type fuelCounter struct{ n atomic.Int64 }

func (f *fuelCounter) used() int64 { return f.n.Load() }

func TestCallClockVirtual(t *testing.T) {
	v := NewVirtual(t0)
	var fuel fuelCounter
	rate := profile.Default().InstructionRate
	cc := NewCall(v, CallConfig{Rate: rate, FuelUsed: fuel.used})

	if !cc.Start().Equal(t0) || !cc.Now().Equal(t0) || cc.Elapsed() != 0 {
		t.Fatalf("a fresh call: start %v, now %v, elapsed %v", cc.Start(), cc.Now(), cc.Elapsed())
	}
	fuel.n.Add(rate / 2) // half a second of CPU
	if got := cc.Now(); !got.Equal(t0.Add(500 * time.Millisecond)) {
		t.Fatalf("after 0.5 s of fuel, Now = %v", got)
	}

	real0 := time.Now()
	if !cc.Sleep(2 * time.Second) {
		t.Fatal("Sleep(2s) reports an incomplete sleep")
	}
	if !cc.Sleep(time.Hour) {
		t.Fatal("Sleep(1h) reports an incomplete sleep")
	}
	if took := time.Since(real0); took > time.Second {
		t.Fatalf("virtual sleeps blocked for %v", took)
	}
	if !cc.Sleep(0) || !cc.Sleep(-time.Second) {
		t.Fatal("a zero or negative sleep reports an incomplete sleep")
	}
	fuel.n.Add(rate) // one more second of CPU

	if got, want := cc.CPU(), 1500*time.Millisecond; got != want {
		t.Fatalf("CPU() = %v, want %v", got, want)
	}
	if got, want := cc.Slept(), time.Hour+2*time.Second; got != want {
		t.Fatalf("Slept() = %v, want %v", got, want)
	}
	want := time.Hour + 3500*time.Millisecond
	if got := cc.Elapsed(); got != want {
		t.Fatalf("Elapsed() = %v, want %v", got, want)
	}
	if got := cc.Now(); !got.Equal(t0.Add(want)) {
		t.Fatalf("Now() = %v, want %v", got, t0.Add(want))
	}
	if !v.Now().Equal(t0) {
		t.Fatal("the call clock moved the virtual clock itself")
	}
	if cc.Expired() {
		t.Fatal("a call without a deadline expired")
	}
	if s := cc.Now().String(); containsM(s) {
		t.Fatalf("virtual call time carries a monotonic reading: %s", s)
	}
}

func TestCallClockVirtualDeadline(t *testing.T) {
	v := NewVirtual(t0)
	var fuel fuelCounter
	const rate = 1000
	deadline := t0.Add(10 * time.Second)
	cc := NewCall(v, CallConfig{Rate: rate, FuelUsed: fuel.used, Deadline: deadline})

	fuel.n.Store(3 * rate)
	if !cc.Sleep(2 * time.Second) {
		t.Fatal("a sleep within the deadline reports an incomplete sleep")
	}
	if cc.Expired() {
		t.Fatal("expired at 5 s of a 10 s deadline")
	}
	if cc.Sleep(time.Hour) {
		t.Fatal("a sleep past the deadline reports a complete sleep")
	}
	if got := cc.Now(); !got.Equal(deadline) {
		t.Fatalf("after sleeping past the deadline Now = %v, want the deadline %v", got, deadline)
	}
	if !cc.Expired() {
		t.Fatal("not expired at the deadline")
	}
	if cc.Sleep(time.Second) || cc.Slept() != 7*time.Second {
		t.Fatalf("a sleep at the deadline slept: Slept() = %v", cc.Slept())
	}
	// CPU time past the deadline still counts: the clock reports it, and
	// the host's watchdog decides what to do.
	fuel.n.Add(rate)
	if got := cc.Now(); !got.Equal(deadline.Add(time.Second)) {
		t.Fatalf("Now = %v, want a second past the deadline", got)
	}
}

func TestCallClockVirtualStop(t *testing.T) {
	stop := make(chan struct{})
	cc := NewCall(NewVirtual(t0), CallConfig{Rate: 1000, Stop: stop})
	if !cc.Sleep(time.Second) {
		t.Fatal("Sleep before stop reports an incomplete sleep")
	}
	close(stop)
	if cc.Sleep(time.Second) {
		t.Fatal("Sleep after stop reports a complete sleep")
	}
	if got := cc.Elapsed(); got != time.Second {
		t.Fatalf("Elapsed() = %v, want 1s: a stopped sleep adds nothing", got)
	}
	if cc.CPU() != 0 {
		t.Fatal("CPU() without FuelUsed is not 0")
	}
}

func TestCallClockReal(t *testing.T) {
	var fuel fuelCounter
	cc := NewCall(Real{}, CallConfig{Rate: 1_000_000, FuelUsed: fuel.used})
	start := time.Now()
	if !cc.Sleep(30 * time.Millisecond) {
		t.Fatal("a real sleep reports an incomplete sleep")
	}
	if el := time.Since(start); el < 30*time.Millisecond || el > 30*time.Millisecond+lateness {
		t.Fatalf("Sleep(30ms) took %v", el)
	}
	if cc.Slept() != 30*time.Millisecond {
		t.Fatalf("Slept() = %v", cc.Slept())
	}
	if el := cc.Elapsed(); el < 30*time.Millisecond || el > time.Since(start)+time.Millisecond {
		t.Fatalf("Elapsed() = %v, want the real time since the start", el)
	}
	if d := time.Since(cc.Now()); d < 0 || d > lateness {
		t.Fatalf("Now() is %v away from the real time", d)
	}
	fuel.n.Store(500_000) // reported, but real time does not depend on it
	if cc.CPU() != 500*time.Millisecond || cc.Elapsed() > time.Since(start)+time.Millisecond {
		t.Fatalf("CPU() = %v, Elapsed() = %v", cc.CPU(), cc.Elapsed())
	}
}

func TestCallClockRealInterrupted(t *testing.T) {
	stop := make(chan struct{})
	cc := NewCall(Real{}, CallConfig{Stop: stop})
	// start is read before the timer is armed: read after, it can be up to
	// the arming's own cost later, and the sleep then looks shorter than 30ms.
	start := time.Now()
	time.AfterFunc(30*time.Millisecond, func() { close(stop) })
	if cc.Sleep(time.Hour) {
		t.Fatal("an interrupted sleep reports a complete sleep")
	}
	el := time.Since(start)
	if el < 30*time.Millisecond || el > 30*time.Millisecond+lateness {
		t.Fatalf("the interrupted sleep took %v", el)
	}
	if cc.Sleep(time.Hour) {
		t.Fatal("a sleep after stop reports a complete sleep")
	}
	// Slept is measured inside Sleep, which began after start: it is at
	// most el, and the first sleep ran for most of the 30ms.
	if s := cc.Slept(); s < 20*time.Millisecond || s > el {
		t.Fatalf("Slept() = %v, want the time actually slept (at most %v)", s, el)
	}
}

func TestCallClockRealDeadline(t *testing.T) {
	deadline := time.Now().Add(30 * time.Millisecond)
	cc := NewCall(Real{}, CallConfig{Deadline: deadline})
	if cc.Expired() {
		t.Fatal("expired before the deadline")
	}
	if cc.Sleep(time.Hour) {
		t.Fatal("a sleep past the deadline reports a complete sleep")
	}
	if late := time.Since(deadline); late < 0 || late > lateness {
		t.Fatalf("the sleep ended %v after the deadline", late)
	}
	if !cc.Expired() {
		t.Fatal("not expired after the deadline")
	}
}

// TestCallUnderScheduler is the host's use of the package: an event runs a
// guest call on a Call, then advances the scheduler by its duration.
func TestCallUnderScheduler(t *testing.T) {
	run := func() []string {
		s := New(NewVirtual(t0))
		var log []string
		stamp := func(when time.Time, what string) {
			log = append(log, when.Format("15:04:05.000000")+" "+what)
		}
		rate := profile.Default().InstructionRate
		s.At(t0.Add(time.Minute), "refresh", func() {
			var fuel fuelCounter
			cc := NewCall(s.Clock(), CallConfig{Rate: rate, FuelUsed: fuel.used})
			// The "guest": work, read its clock, sleep, work again.
			fuel.n.Add(rate / 4)
			stamp(cc.Now(), "guest reads clock")
			cc.Sleep(2 * time.Second)
			fuel.n.Add(rate / 4)
			stamp(cc.Now(), "guest returns")
			s.Advance(cc.Elapsed())
			if !s.Now().Equal(cc.Now()) {
				t.Errorf("after Advance the scheduler reads %v, the call ended at %v", s.Now(), cc.Now())
			}
		})
		s.At(t0.Add(time.Minute+time.Second), "due during the call", func() { stamp(s.Now(), "due during the call") })
		s.At(t0.Add(time.Minute+5*time.Second), "after the call", func() { stamp(s.Now(), "after the call") })
		if err := s.RunUntil(context.Background(), t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		return log
	}
	got := run()
	want := []string{
		"00:01:00.250000 guest reads clock",
		"00:01:02.500000 guest returns",
		"00:01:02.500000 due during the call",
		"00:01:05.000000 after the call",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if again := run(); !slices.Equal(got, again) {
		t.Fatalf("second run differs:\n%q\n%q", got, again)
	}
}

// TestCallClockBudget: a Budget without a Deadline gives the deadline start
// plus Budget, under the virtual clock (a time without a monotonic
// reading, as a Deadline is rounded) and the real one.
func TestCallClockBudget(t *testing.T) {
	const rate = 1000
	var fuel fuelCounter
	cc := NewCall(NewVirtual(t0), CallConfig{Rate: rate, FuelUsed: fuel.used, Budget: 10 * time.Second})
	fuel.n.Store(3 * rate)
	if cc.Expired() {
		t.Fatal("expired at 3 s of a 10 s budget")
	}
	if cc.Sleep(time.Hour) {
		t.Fatal("a sleep past the budget reports a complete sleep")
	}
	if got, want := cc.Now(), t0.Add(10*time.Second); !got.Equal(want) || containsM(got.String()) {
		t.Fatalf("after sleeping past the budget Now = %v, want the deadline %v", got, want)
	}
	if !cc.Expired() {
		t.Fatal("not expired at the end of the budget")
	}

	// A Deadline wins over a Budget.
	cc = NewCall(NewVirtual(t0), CallConfig{Rate: rate, Deadline: t0.Add(time.Second), Budget: time.Hour})
	if cc.Sleep(2*time.Second) || cc.Slept() != time.Second {
		t.Fatalf("with a 1 s deadline and an hour's budget, slept %v", cc.Slept())
	}

	real := NewCall(Real{}, CallConfig{Budget: 30 * time.Millisecond})
	if real.Sleep(time.Hour) {
		t.Fatal("a real sleep past the budget reports a complete sleep")
	}
	if late := time.Since(real.Start().Add(30 * time.Millisecond)); late < 0 || late > lateness {
		t.Fatalf("the sleep ended %v after the budget's deadline", late)
	}
	if !real.Expired() {
		t.Fatal("not expired after the budget")
	}
}

// TestCallBegin: a call started with Begin, as the host's call path starts
// one, is the call ResetAt starts after a read of the same clock: the same
// start, CPU time, deadlines and sleeps under the virtual clock; under the
// real clock its StartNanos is its start on the monotonic clock since
// Epoch, and Elapsed is the monotonic time since the start.
func TestCallBegin(t *testing.T) {
	const rate = 1000
	var fuel fuelCounter
	for _, budget := range []time.Duration{10 * time.Second, 0, -time.Second} {
		v1, v2 := NewVirtual(t0), NewVirtual(t0)
		var begun, reset Call
		start := begun.Begin(v1, rate, fuel.used, budget)
		cfg := CallConfig{Rate: rate, FuelUsed: fuel.used, Budget: budget}
		if budget <= 0 {
			cfg.Deadline = t0.Add(budget)
		}
		reset.ResetAt(v2, v2.Now(), cfg)
		stop := make(chan struct{})
		begun.SetStop(stop)
		if !start.Equal(t0) || begun.Start() != reset.Start() {
			t.Fatalf("budget %v: Begin's start %v, ResetAt's %v, want %v", budget, start, reset.Start(), t0)
		}
		fuel.n.Store(3 * rate)
		for _, d := range []time.Duration{time.Second, time.Hour} {
			if a, b := begun.Sleep(d), reset.Sleep(d); a != b {
				t.Fatalf("budget %v: Sleep(%v) = %v after Begin, %v after ResetAt", budget, d, a, b)
			}
			if begun.Now() != reset.Now() || begun.Elapsed() != reset.Elapsed() || begun.Expired() != reset.Expired() {
				t.Fatalf("budget %v, after Sleep(%v): Begin's call at %v (elapsed %v, expired %v), ResetAt's at %v (%v, %v)",
					budget, d, begun.Now(), begun.Elapsed(), begun.Expired(), reset.Now(), reset.Elapsed(), reset.Expired())
			}
		}
		close(stop)
		if begun.Sleep(time.Millisecond) {
			t.Fatalf("budget %v: a sleep after SetStop's channel closed slept", budget)
		}
		fuel.n.Store(0)
	}

	var real Call
	before := time.Now()
	start := real.Begin(Real{}, rate, nil, time.Minute)
	if !containsM(start.String()) || start.Before(before.Add(-time.Millisecond)) || start.Sub(before) > time.Second {
		t.Fatalf("Begin on the real clock started at %v, want about %v with a monotonic reading", start, before)
	}
	if got, want := real.StartNanos(), int64(start.Sub(Epoch)); got != want {
		t.Fatalf("StartNanos = %d, want %d (the start since Epoch)", got, want)
	}
	time.Sleep(2 * time.Millisecond)
	if e, since := real.Elapsed(), time.Since(start); e < 2*time.Millisecond || e > since {
		t.Fatalf("Elapsed = %v, want at least 2ms and at most %v", e, since)
	}
	if real.Expired() || real.CPU() != 0 {
		t.Fatalf("a call of a minute's budget expired (%v) or has CPU time without fuel (%v)", real.Expired(), real.CPU())
	}
}
