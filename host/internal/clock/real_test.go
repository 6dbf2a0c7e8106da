package clock

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lateness is how late a real-mode event may run before a test fails; it is
// loose because CI machines and the race detector are slow.
const lateness = 250 * time.Millisecond

// startReal runs a real-mode scheduler on its own goroutine until the test
// ends, and returns it with a channel that receives Run's result.
func startReal(t *testing.T) (*Scheduler, context.CancelFunc, <-chan error) {
	t.Helper()
	s := New(Real{})
	if s.Virtual() {
		t.Fatal("New(Real{}) is in virtual mode")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	stopped := make(chan struct{})
	go func() {
		done <- s.Run(ctx)
		close(stopped)
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
	})
	return s, cancel, done
}

func TestRealFiresOnTime(t *testing.T) {
	s, _, _ := startReal(t)
	for _, d := range []time.Duration{30 * time.Millisecond, 120 * time.Millisecond} {
		ran := make(chan time.Time, 1)
		start := time.Now()
		e := s.After(d, "timer", func() { ran <- time.Now() })
		select {
		case at := <-ran:
			if at.Before(e.Time()) {
				t.Fatalf("event due at +%v ran %v early", d, e.Time().Sub(at))
			}
			if late := at.Sub(start) - d; late > lateness {
				t.Fatalf("event due at +%v ran %v late", d, late)
			}
		case <-time.After(d + 5*time.Second):
			t.Fatalf("event due at +%v never ran", d)
		}
	}

	// At with a wall-clock time (no monotonic reading) works too.
	ran := make(chan time.Time, 1)
	due := time.Now().Add(50 * time.Millisecond).Round(0)
	s.At(due, "wall", func() { ran <- time.Now() })
	select {
	case at := <-ran:
		if at.Round(0).Before(due) || at.Round(0).Sub(due) > lateness {
			t.Fatalf("wall-time event due at %v ran at %v", due, at)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("wall-time event never ran")
	}
}

func TestRealEarlyWake(t *testing.T) {
	s, _, _ := startReal(t)
	far := s.After(time.Hour, "far", func() { t.Error("the far event ran") })
	time.Sleep(20 * time.Millisecond) // let Run go to sleep until "far"

	ran := make(chan time.Time, 1)
	start := time.Now()
	s.After(40*time.Millisecond, "near", func() { ran <- time.Now() })
	select {
	case at := <-ran:
		if el := at.Sub(start); el < 40*time.Millisecond || el > 40*time.Millisecond+lateness {
			t.Fatalf("near event ran after %v, want about 40ms", el)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a sooner event did not wake the scheduler")
	}
	if !far.Pending() {
		t.Fatal("the far event is no longer pending")
	}
}

func TestRealContextCancelStopsRun(t *testing.T) {
	s, cancel, done := startReal(t)
	e := s.After(time.Hour, "never", func() { t.Error("event ran after cancel") })
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run() = %v, want context.Canceled", err)
		}
		if el := time.Since(start); el > lateness {
			t.Fatalf("Run took %v to stop", el)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when its context was cancelled")
	}
	if !e.Pending() {
		t.Fatal("the pending event was dropped")
	}

	// Also with an empty queue.
	s2 := New(Real{})
	ctx, cancel2 := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel2()
	if err := s2.Run(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run on an empty queue = %v, want context.DeadlineExceeded", err)
	}
}

func TestRealConcurrentScheduling(t *testing.T) {
	s, _, _ := startReal(t)
	const goroutines, each = 8, 40
	var inflight, overlaps, early atomic.Int32
	var wg sync.WaitGroup
	wg.Add(goroutines * each)
	for g := range goroutines {
		go func() {
			for i := range each {
				var e *Event
				ready := make(chan struct{})
				e = s.After(time.Duration((g*7+i*3)%25)*time.Millisecond, "load", func() {
					<-ready
					if time.Now().Before(e.Time()) {
						early.Add(1)
					}
					if inflight.Add(1) > 1 {
						overlaps.Add(1)
					}
					time.Sleep(50 * time.Microsecond)
					inflight.Add(-1)
					wg.Done()
				})
				close(ready)
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatalf("only some of %d events ran", goroutines*each)
	}
	if n := overlaps.Load(); n != 0 {
		t.Fatalf("events overlapped %d times, want one at a time", n)
	}
	if n := early.Load(); n != 0 {
		t.Fatalf("%d events ran before their time", n)
	}
}

func TestRealTiesAndNestedScheduling(t *testing.T) {
	s := New(Real{})
	due := time.Now().Add(30 * time.Millisecond)
	var log []string
	done := make(chan struct{})
	s.At(due, "a", func() {
		log = append(log, "a")
		s.After(0, "a.child", func() {
			log = append(log, "a.child")
			close(done)
		})
	})
	s.At(due, "b", func() { log = append(log, "b") })
	s.At(due, "c", func() { log = append(log, "c") })
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("events did not run")
	}
	cancel()
	<-errc // log is written on Run's goroutine; this orders the read after it
	if want := []string{"a", "b", "c", "a.child"}; !slices.Equal(log, want) {
		t.Fatalf("got %q, want %q", log, want)
	}
}

func TestRealRunUntil(t *testing.T) {
	s := New(Real{})
	start := time.Now()
	var log []string
	s.After(10*time.Millisecond, "a", func() { log = append(log, "a") })
	s.After(40*time.Millisecond, "b", func() { log = append(log, "b") })
	late := s.After(time.Second, "late", func() { log = append(log, "late") })
	if err := s.RunUntil(context.Background(), start.Add(80*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	if el < 80*time.Millisecond || el > 80*time.Millisecond+lateness {
		t.Fatalf("RunUntil(+80ms) returned after %v", el)
	}
	if want := []string{"a", "b"}; !slices.Equal(log, want) {
		t.Fatalf("got %q, want %q", log, want)
	}
	if !late.Pending() {
		t.Fatal("the event after the bound is not pending")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.RunUntil(ctx, time.Now().Add(time.Hour)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RunUntil with an expiring context = %v", err)
	}
}

func TestRealStepNeverWaits(t *testing.T) {
	s := New(Real{})
	ran := 0
	s.After(time.Hour, "future", func() { ran++ })
	start := time.Now()
	if s.Step() {
		t.Fatal("Step ran an event that is not due")
	}
	if time.Since(start) > lateness {
		t.Fatal("Step waited")
	}
	s.After(0, "due", func() { ran++ })
	if !s.Step() || ran != 1 {
		t.Fatalf("Step did not run the due event (ran %d)", ran)
	}
}

func TestRealAdvanceIsNoOp(t *testing.T) {
	s := New(nil) // nil means Real
	if s.Virtual() {
		t.Fatal("New(nil) is in virtual mode")
	}
	before := time.Now()
	s.Advance(time.Hour)
	if s.Now().Sub(before) > time.Minute {
		t.Fatal("Advance moved the real clock")
	}
}

func TestRealSecondRunFails(t *testing.T) {
	s, _, _ := startReal(t)
	// Hold the first Run inside an event, so it is certainly running.
	inside, release := make(chan struct{}), make(chan struct{})
	s.After(0, "hold", func() {
		close(inside)
		<-release
	})
	<-inside
	defer close(release)
	if err := s.Run(context.Background()); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Run = %v, want ErrRunning", err)
	}
	if err := s.RunUntil(context.Background(), time.Now()); !errors.Is(err, ErrRunning) {
		t.Fatalf("RunUntil during Run = %v, want ErrRunning", err)
	}
}
