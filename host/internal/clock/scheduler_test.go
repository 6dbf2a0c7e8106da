package clock

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = DefaultStart

// recorder returns an event function factory that appends "hh:mm:ss label"
// to log when the event runs, reading the scheduler's clock.
func recorder(s *Scheduler, log *[]string) func(label string) func() {
	return func(label string) func() {
		return func() { *log = append(*log, s.Now().Format("15:04:05.000")+" "+label) }
	}
}

func newVirtual(t *testing.T) *Scheduler {
	t.Helper()
	s := New(NewVirtual(t0))
	if !s.Virtual() {
		t.Fatal("New(*Virtual) is not in virtual mode")
	}
	return s
}

func TestOrderAndTies(t *testing.T) {
	s := newVirtual(t)
	var log []string
	rec := recorder(s, &log)
	// Scheduled out of order; the three at +2s must keep their order.
	s.At(t0.Add(2*time.Second), "b1", rec("b1"))
	s.At(t0.Add(3*time.Second), "c", rec("c"))
	s.At(t0.Add(time.Second), "a", rec("a"))
	s.At(t0.Add(2*time.Second), "b2", rec("b2"))
	s.After(2*time.Second, "b3", rec("b3"))
	s.At(t0, "zero", rec("zero"))

	if err := s.RunUntil(context.Background(), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"00:00:00.000 zero",
		"00:00:01.000 a",
		"00:00:02.000 b1",
		"00:00:02.000 b2",
		"00:00:02.000 b3",
		"00:00:03.000 c",
	}
	if !slices.Equal(log, want) {
		t.Fatalf("order:\n got %q\nwant %q", log, want)
	}
	if got := s.Now(); !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("clock after RunUntil = %v, want %v", got, t0.Add(time.Minute))
	}
}

func TestTiesManyEvents(t *testing.T) {
	// Enough events at one instant to exercise the heap's reordering: they
	// must still come out in scheduling order.
	s := newVirtual(t)
	var got []int
	for i := range 200 {
		at := t0.Add(time.Duration(i%3) * time.Second)
		s.At(at, "", func() { got = append(got, i) })
	}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var want []int
	for r := range 3 {
		for i := r; i < 200; i += 3 {
			want = append(want, i)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("tie order broken:\n got %v\nwant %v", got, want)
	}
}

func TestCancel(t *testing.T) {
	s := newVirtual(t)
	var log []string
	rec := recorder(s, &log)
	a := s.After(time.Second, "a", rec("a"))
	b := s.After(2*time.Second, "b", rec("b"))
	c := s.After(3*time.Second, "c", rec("c"))

	if !b.Pending() {
		t.Fatal("b is not pending before it runs")
	}
	if !s.Cancel(b) {
		t.Fatal("Cancel(pending b) = false")
	}
	if b.Pending() {
		t.Fatal("b is still pending after Cancel")
	}
	if s.Cancel(b) {
		t.Fatal("second Cancel(b) = true")
	}
	if s.Cancel(nil) {
		t.Fatal("Cancel(nil) = true")
	}
	if other := New(NewVirtual(t0)); other.Cancel(c) {
		t.Fatal("another scheduler cancelled c")
	}
	if got := s.Len(); got != 2 {
		t.Fatalf("Len() = %d after cancelling one of three", got)
	}

	if !s.Step() {
		t.Fatal("Step() ran nothing")
	}
	if a.Pending() {
		t.Fatal("a is pending after it ran")
	}
	if s.Cancel(a) {
		t.Fatal("Cancel(a) after a ran = true")
	}
	if err := s.RunUntil(context.Background(), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	want := []string{"00:00:01.000 a", "00:00:03.000 c"}
	if !slices.Equal(log, want) {
		t.Fatalf("got %q, want %q", log, want)
	}
}

func TestCancelFromEventAtSameInstant(t *testing.T) {
	// An event cancels a later-sequenced event due at the same instant, and
	// tries to cancel itself while it runs (a no-op).
	s := newVirtual(t)
	var log []string
	rec := recorder(s, &log)
	var self, victim *Event
	self = s.After(time.Second, "self", func() {
		log = append(log, "self")
		if s.Cancel(self) {
			log = append(log, "cancelled itself")
		}
		if !s.Cancel(victim) {
			log = append(log, "victim not pending")
		}
	})
	victim = s.After(time.Second, "victim", rec("victim"))
	s.After(time.Second, "after", rec("after"))
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"self", "00:00:01.000 after"}
	if !slices.Equal(log, want) {
		t.Fatalf("got %q, want %q", log, want)
	}
}

func TestEventsScheduleEventsAtSameInstant(t *testing.T) {
	s := newVirtual(t)
	var log []string
	rec := recorder(s, &log)
	s.After(time.Second, "a", func() {
		rec("a")()
		// Now, in the past and zero delay: all run at this instant, after
		// the events already due at it, in the order scheduled here.
		s.At(s.Now(), "a.now", func() {
			rec("a.now")()
			s.After(0, "a.now.child", rec("a.now.child"))
		})
		e := s.At(t0, "a.past", rec("a.past"))
		if !e.Time().Equal(t0.Add(time.Second)) {
			t.Errorf("event scheduled in the past has time %v, want the current time", e.Time())
		}
		s.After(-time.Minute, "a.negative", rec("a.negative"))
		s.After(time.Second, "a.later", rec("a.later"))
	})
	s.After(time.Second, "b", rec("b"))
	if err := s.RunUntil(context.Background(), t0.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"00:00:01.000 a",
		"00:00:01.000 b",
		"00:00:01.000 a.now",
		"00:00:01.000 a.past",
		"00:00:01.000 a.negative",
		"00:00:01.000 a.now.child",
		"00:00:02.000 a.later",
	}
	if !slices.Equal(log, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
}

func TestRunUntilJumpsIdleTime(t *testing.T) {
	s := newVirtual(t)
	var fired []time.Time
	var hourly func()
	hourly = func() {
		fired = append(fired, s.Now())
		s.After(time.Hour, "hourly", hourly)
	}
	s.After(time.Hour, "hourly", hourly)

	real0 := time.Now()
	day := t0.Add(24 * time.Hour)
	if err := s.RunUntil(context.Background(), day); err != nil {
		t.Fatal(err)
	}
	took := time.Since(real0)

	if len(fired) != 24 {
		t.Fatalf("%d hourly events in a simulated day, want 24", len(fired))
	}
	for i, f := range fired {
		if want := t0.Add(time.Duration(i+1) * time.Hour); !f.Equal(want) {
			t.Fatalf("event %d ran at %v, want %v", i, f, want)
		}
	}
	if !s.Now().Equal(day) {
		t.Fatalf("clock = %v, want %v", s.Now(), day)
	}
	if next, ok := s.Next(); !ok || !next.Equal(day.Add(time.Hour)) {
		t.Fatalf("Next() = %v, %v; want %v", next, ok, day.Add(time.Hour))
	}
	// A simulated day takes no real time; the bound is loose for slow,
	// race-instrumented machines.
	if took > 2*time.Second {
		t.Fatalf("a simulated day took %v of real time", took)
	}

	// RunUntil with no event due still moves the clock to the bound.
	if err := s.RunUntil(context.Background(), day.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !s.Now().Equal(day.Add(30*time.Minute)) || len(fired) != 24 {
		t.Fatalf("after an idle RunUntil: clock %v, %d events", s.Now(), len(fired))
	}
}

func TestRunUntilIncludesBound(t *testing.T) {
	s := newVirtual(t)
	var log []string
	rec := recorder(s, &log)
	s.At(t0.Add(time.Minute), "at bound", rec("at bound"))
	s.At(t0.Add(time.Minute+time.Nanosecond), "past bound", rec("past bound"))
	if err := s.RunUntil(context.Background(), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if want := []string{"00:01:00.000 at bound"}; !slices.Equal(log, want) {
		t.Fatalf("got %q, want %q", log, want)
	}
	if s.Len() != 1 {
		t.Fatalf("Len() = %d, want the event past the bound left", s.Len())
	}
}

func TestStepAndNext(t *testing.T) {
	s := newVirtual(t)
	if _, ok := s.Next(); ok {
		t.Fatal("Next() reports an event on an empty scheduler")
	}
	if s.Step() {
		t.Fatal("Step() ran an event on an empty scheduler")
	}
	var log []string
	rec := recorder(s, &log)
	s.At(t0.Add(2*time.Hour), "two", rec("two"))
	s.At(t0.Add(time.Hour), "one", rec("one"))
	if next, ok := s.Next(); !ok || !next.Equal(t0.Add(time.Hour)) {
		t.Fatalf("Next() = %v, %v", next, ok)
	}
	if !s.Step() || !s.Now().Equal(t0.Add(time.Hour)) {
		t.Fatalf("after one Step: clock %v, log %q", s.Now(), log)
	}
	if !s.Step() || !s.Now().Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("after two Steps: clock %v, log %q", s.Now(), log)
	}
	if s.Step() {
		t.Fatal("third Step() ran an event")
	}
	if want := []string{"01:00:00.000 one", "02:00:00.000 two"}; !slices.Equal(log, want) {
		t.Fatalf("got %q, want %q", log, want)
	}
}

func TestAdvanceDuringEvent(t *testing.T) {
	// An event stands for a guest call that takes 5 s: events that fell due
	// during it run after it, in order, at the time the call ended; events
	// after the call keep their own times.
	s := newVirtual(t)
	var log []string
	rec := recorder(s, &log)
	s.At(t0.Add(time.Second), "call", func() {
		rec("call starts")()
		s.Advance(5 * time.Second)
		rec("call ends")()
	})
	s.At(t0.Add(4*time.Second), "due during call #2", rec("due during call #2"))
	s.At(t0.Add(2*time.Second), "due during call #1", rec("due during call #1"))
	s.At(t0.Add(7*time.Second), "after call", rec("after call"))
	if err := s.RunUntil(context.Background(), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"00:00:01.000 call starts",
		"00:00:06.000 call ends",
		"00:00:06.000 due during call #1",
		"00:00:06.000 due during call #2",
		"00:00:07.000 after call",
	}
	if !slices.Equal(log, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}

	// A call that runs past the RunUntil bound leaves the clock past it.
	s.After(time.Second, "long call", func() { s.Advance(time.Hour) })
	bound := s.Now().Add(2 * time.Second)
	if err := s.RunUntil(context.Background(), bound); err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(time.Minute + time.Second + time.Hour); !s.Now().Equal(want) {
		t.Fatalf("clock = %v, want %v", s.Now(), want)
	}
}

func TestRunVirtualDrainsQueue(t *testing.T) {
	s := newVirtual(t)
	n := 0
	for i := range 10 {
		s.After(time.Duration(i)*time.Minute, "", func() { n++ })
	}
	if err := s.Run(context.Background()); err != nil {
		t.Fatalf("Run() = %v, want nil when the queue empties", err)
	}
	if n != 10 || s.Len() != 0 || !s.Now().Equal(t0.Add(9*time.Minute)) {
		t.Fatalf("ran %d, %d left, clock %v", n, s.Len(), s.Now())
	}
}

func TestRunVirtualStopsOnContext(t *testing.T) {
	s := newVirtual(t)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	var tick func()
	tick = func() {
		n++
		if n == 5 {
			cancel()
		}
		s.After(time.Second, "tick", tick)
	}
	s.After(time.Second, "tick", tick)
	if err := s.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run() = %v, want context.Canceled", err)
	}
	if n != 5 {
		t.Fatalf("%d events ran, want 5 (Run stops before the next event)", n)
	}
	if err := s.RunUntil(ctx, t0.Add(time.Hour)); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunUntil(cancelled) = %v", err)
	}
	if n != 5 {
		t.Fatalf("RunUntil with a cancelled context ran events")
	}
}

func TestReentrantRun(t *testing.T) {
	s := newVirtual(t)
	var runErr, untilErr error
	var stepPanic any
	s.After(time.Second, "nested", func() {
		runErr = s.Run(context.Background())
		untilErr = s.RunUntil(context.Background(), t0.Add(time.Hour))
		func() {
			defer func() { stepPanic = recover() }()
			s.Step()
		}()
	})
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(runErr, ErrRunning) || !errors.Is(untilErr, ErrRunning) {
		t.Fatalf("nested Run = %v, RunUntil = %v; want ErrRunning", runErr, untilErr)
	}
	if stepPanic != ErrRunning {
		t.Fatalf("nested Step panicked with %v, want ErrRunning", stepPanic)
	}
	// The scheduler is usable again afterwards.
	ran := false
	s.After(0, "again", func() { ran = true })
	if !s.Step() || !ran {
		t.Fatal("Step after a nested-run attempt did not run the event")
	}
}

func TestTraceAndEventAccessors(t *testing.T) {
	s := newVirtual(t)
	var trace []string
	s.SetTrace(func(now time.Time, e *Event) {
		trace = append(trace, now.Format(time.TimeOnly)+" "+e.String())
	})
	s.At(t0.Add(time.Hour), "refresh com.example.app", func() {})
	e := s.At(t0.Add(90*time.Minute), "snapshot", func() {})
	if e.Label() != "snapshot" || e.Seq() != 2 || !e.Time().Equal(t0.Add(90*time.Minute)) {
		t.Fatalf("accessors: label %q, seq %d, time %v", e.Label(), e.Seq(), e.Time())
	}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"01:00:00 2026-01-01T01:00:00Z #1 refresh com.example.app",
		"01:30:00 2026-01-01T01:30:00Z #2 snapshot",
	}
	if !slices.Equal(trace, want) {
		t.Fatalf("trace:\n got %q\nwant %q", trace, want)
	}
	s.SetTrace(nil)
	s.After(0, "quiet", func() {})
	s.Step()
	if len(trace) != 2 {
		t.Fatal("SetTrace(nil) did not remove the trace")
	}
}

func TestNilFuncPanics(t *testing.T) {
	s := newVirtual(t)
	defer func() {
		if recover() == nil {
			t.Fatal("At with a nil function did not panic")
		}
	}()
	s.At(t0, "nil", nil)
}

// simulate runs a randomized but seeded program of events that schedule,
// cancel and advance, under the virtual clock, and returns its event log.
func simulate(seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 0))
	s := New(NewVirtual(t0))
	var log []string
	s.SetTrace(func(now time.Time, e *Event) {
		log = append(log, fmt.Sprintf("%s %s", now.Format(time.RFC3339Nano), e.String()))
	})
	var pending []*Event
	var spawn func(depth int) func()
	spawn = func(depth int) func() {
		return func() {
			if rng.IntN(4) == 0 {
				s.Advance(time.Duration(rng.IntN(5000)) * time.Millisecond) // a guest call
			}
			if depth > 6 {
				return
			}
			for range rng.IntN(3) {
				d := time.Duration(rng.IntN(4)) * time.Duration(rng.IntN(3600)) * time.Second // often 0: ties
				pending = append(pending, s.After(d, fmt.Sprintf("d%d", depth+1), spawn(depth+1)))
			}
			if len(pending) > 0 && rng.IntN(3) == 0 {
				s.Cancel(pending[rng.IntN(len(pending))])
			}
		}
	}
	for i := range 50 {
		s.At(t0.Add(time.Duration(rng.IntN(24*3600))*time.Second), fmt.Sprintf("root%d", i), spawn(0))
	}
	if err := s.RunUntil(context.Background(), t0.Add(24*time.Hour)); err != nil {
		log = append(log, "error: "+err.Error())
	}
	log = append(log, "end "+s.Now().Format(time.RFC3339Nano))
	return log
}

func TestDeterminism(t *testing.T) {
	a, b := simulate(1), simulate(1)
	if len(a) < 100 {
		t.Fatalf("the program ran only %d events; the test needs a busier one", len(a))
	}
	if !slices.Equal(a, b) {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("runs differ at line %d:\n%s\n%s", i, a[i], b[i])
			}
		}
		t.Fatalf("runs differ in length: %d and %d", len(a), len(b))
	}
	// The log is in time order (the clock never goes back).
	for i := 1; i < len(a)-1; i++ {
		if a[i][:19] < a[i-1][:19] {
			t.Fatalf("log goes back in time at line %d:\n%s\n%s", i, a[i-1], a[i])
		}
	}
	if c := simulate(2); slices.Equal(a, c) {
		t.Fatal("different seeds gave the same log: the program does not depend on its input")
	}
}
