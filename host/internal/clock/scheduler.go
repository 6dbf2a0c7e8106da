package clock

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrRunning is returned by Run and RunUntil when another Run or RunUntil of
// the same Scheduler is in progress, including when an event's function
// calls them.
var ErrRunning = errors.New("clock: the scheduler is already running")

// Event is a function scheduled to run at a time. Its fields are fixed when
// it is scheduled.
type Event struct {
	s     *Scheduler
	at    time.Time
	key   time.Duration // at - s.base, the ordering key
	seq   uint64        // scheduling order, breaks ties
	label string
	fn    func()
	index int // position in s.queue; -1 once fired or cancelled
}

// Time returns the time the event is scheduled for: the time it was given,
// or the scheduler's time when it was scheduled if that was later.
func (e *Event) Time() time.Time { return e.at }

// Label returns the label the event was scheduled with.
func (e *Event) Label() string { return e.label }

// Seq returns the event's scheduling sequence number: 1 for the first event
// of its Scheduler, 2 for the next, and so on. Events due at the same time
// run in Seq order.
func (e *Event) Seq() uint64 { return e.seq }

// Pending reports whether the event is still waiting to run: it has neither
// run (or started to) nor been cancelled.
func (e *Event) Pending() bool {
	if e == nil {
		return false
	}
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	return e.index >= 0
}

// String returns the event's time, sequence number and label.
func (e *Event) String() string {
	return fmt.Sprintf("%s #%d %s", e.at.Format(time.RFC3339Nano), e.seq, e.label)
}

// Scheduler runs events in order of (time, scheduling sequence) on a Clock.
//
// Under a *Virtual clock the scheduler is in virtual mode: it never waits.
// Step, RunUntil and Run move the clock to each event's time (never back)
// and run the event on the caller's goroutine. Under any other Clock it is
// in real mode: Run and RunUntil wait, with the time package's timers, until
// the next event is due and then run it on their goroutine; such a clock must
// therefore advance at the rate of real time.
//
// In both modes events run one at a time, and an event's function may
// schedule and cancel events, including at the current time (it runs after
// the events already due at that time). At, After, Cancel, Next and Advance
// are safe to call from any goroutine; in virtual mode the order of events is
// deterministic only if they are scheduled from one goroutine (typically from
// event functions and the goroutine that calls RunUntil).
type Scheduler struct {
	clock Clock
	virt  *Virtual      // the clock, in virtual mode; nil in real mode
	base  time.Time     // the clock at creation; keys are offsets from it
	wake  chan struct{} // signalled when a new earliest event is scheduled

	mu      sync.Mutex
	queue   eventQueue
	seq     uint64
	running bool
	trace   func(now time.Time, e *Event)
}

// New returns a scheduler on clock: in virtual mode if clock is a *Virtual,
// in real mode otherwise. A nil clock means Real.
func New(clock Clock) *Scheduler {
	if clock == nil {
		clock = Real{}
	}
	s := &Scheduler{clock: clock, wake: make(chan struct{}, 1)}
	s.virt, _ = clock.(*Virtual)
	s.base = clock.Now()
	return s
}

// Clock returns the scheduler's clock.
func (s *Scheduler) Clock() Clock { return s.clock }

// Now returns the scheduler's clock's current time.
func (s *Scheduler) Now() time.Time { return s.clock.Now() }

// Virtual reports whether the scheduler is in virtual mode.
func (s *Scheduler) Virtual() bool { return s.virt != nil }

// SetTrace sets a function called, on the running goroutine, just before
// each event runs, with the clock's time and the event; nil removes it. It
// serves logs and the event traces of simulations.
func (s *Scheduler) SetTrace(f func(now time.Time, e *Event)) {
	s.mu.Lock()
	s.trace = f
	s.mu.Unlock()
}

// At schedules fn to run at t, or as soon as possible if t is not after the
// current time; in that case the event's time is the current time, so it
// runs after the events already due. label names the event in traces. It
// returns the event, for Cancel.
func (s *Scheduler) At(t time.Time, label string, fn func()) *Event {
	now := s.clock.Now()
	if t.Before(now) {
		t = now
	}
	return s.schedule(t, label, fn)
}

// After schedules fn to run once d has passed on the scheduler's clock
// (at once, after the events already due, if d <= 0).
func (s *Scheduler) After(d time.Duration, label string, fn func()) *Event {
	return s.schedule(s.clock.Now().Add(max(d, 0)), label, fn)
}

func (s *Scheduler) schedule(t time.Time, label string, fn func()) *Event {
	if fn == nil {
		panic("sched: nil event function")
	}
	if s.virt != nil {
		t = t.Round(0) // no monotonic reading under the virtual clock
	}
	// t.Sub uses the monotonic readings when t and base both have one
	// (real clock, After), and wall time otherwise, which gives every event
	// one integer key and the queue a consistent total order.
	e := &Event{s: s, at: t, key: t.Sub(s.base), label: label, fn: fn}
	s.mu.Lock()
	s.seq++
	e.seq = s.seq
	heap.Push(&s.queue, e)
	first := e.index == 0
	s.mu.Unlock()
	if first && s.virt == nil {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return e
}

// Cancel removes e from the queue and reports whether it was still pending.
// It is safe to call with nil, with an event that has already run or started
// to run, or more than once; those calls return false and do nothing.
func (s *Scheduler) Cancel(e *Event) bool {
	if e == nil || e.s != s {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.index < 0 {
		return false
	}
	heap.Remove(&s.queue, e.index)
	return true
}

// Next returns the time of the earliest pending event, and false if there is
// none.
func (s *Scheduler) Next() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return time.Time{}, false
	}
	return s.queue[0].at, true
}

// Len returns the number of pending events.
func (s *Scheduler) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Advance accounts for d of time spent outside the scheduler, such as a guest
// call: in virtual mode the clock moves forward by d (nothing happens for
// d <= 0); in real mode the time has already passed and Advance does nothing.
// Events that fell due meanwhile run next, in order, at the new time.
func (s *Scheduler) Advance(d time.Duration) {
	if s.virt != nil {
		s.virt.Advance(d)
	}
}

// Step runs the earliest pending event if it is due, and reports whether it
// ran one. In virtual mode the earliest event is always due: the clock jumps
// to its time (unless the clock is already past it). In real mode Step never
// waits. Step panics if called while Run or RunUntil is in progress.
func (s *Scheduler) Step() bool {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		panic(ErrRunning)
	}
	if len(s.queue) == 0 || (s.virt == nil && s.queue[0].key > s.elapsed()) {
		s.mu.Unlock()
		return false
	}
	s.running = true
	defer s.stop()
	s.fire(s.pop())
	return true
}

// RunUntil runs every event due up to and including t, in order, then
// returns with the clock at t (or later, if it was already past t or a call
// advanced it past t). Events that an event schedules up to t run too.
//
// In virtual mode it never waits: the clock jumps from event to event and
// then to t. In real mode it waits, running each event when it falls due,
// until the clock reaches t.
//
// It returns ctx.Err() if ctx is done first (checked before each event in
// virtual mode), and ErrRunning if the scheduler is already running.
func (s *Scheduler) RunUntil(ctx context.Context, t time.Time) error {
	return s.run(ctx, t, true)
}

// Run runs events in order until ctx is done, and returns ctx.Err().
//
// In real mode it waits for each event's time and keeps waiting for new
// events when the queue is empty; call it on its own goroutine and schedule
// events from anywhere. In virtual mode it runs events, jumping the clock to
// each, until none is left, and then returns nil.
//
// It returns ErrRunning if the scheduler is already running.
func (s *Scheduler) Run(ctx context.Context) error {
	return s.run(ctx, time.Time{}, false)
}

func (s *Scheduler) run(ctx context.Context, until time.Time, bounded bool) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return ErrRunning
	}
	s.running = true
	s.mu.Unlock()
	defer s.stop()
	if s.virt != nil {
		return s.runVirtual(ctx, until, bounded)
	}
	return s.runReal(ctx, until, bounded)
}

func (s *Scheduler) stop() {
	s.mu.Lock()
	s.running = false
	s.mu.Unlock()
}

func (s *Scheduler) runVirtual(ctx context.Context, until time.Time, bounded bool) error {
	if bounded {
		until = until.Round(0)
	}
	limit := until.Sub(s.base)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.mu.Lock()
		if len(s.queue) == 0 || (bounded && s.queue[0].key > limit) {
			s.mu.Unlock()
			break
		}
		s.fire(s.pop())
	}
	if bounded {
		s.virt.AdvanceTo(until)
	}
	return nil
}

func (s *Scheduler) runReal(ctx context.Context, until time.Time, bounded bool) error {
	limit := until.Sub(s.base)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.mu.Lock()
		now := s.elapsed()
		if len(s.queue) > 0 && s.queue[0].key <= now && (!bounded || s.queue[0].key <= limit) {
			s.fire(s.pop())
			continue
		}
		if bounded && now >= limit {
			s.mu.Unlock()
			return nil
		}
		// Wait for the earliest of the next event and the bound; with
		// neither, only a new event or ctx wakes us.
		wait, ok := time.Duration(0), false
		if len(s.queue) > 0 {
			wait, ok = s.queue[0].key-now, true
		}
		if bounded && (!ok || limit-now < wait) {
			wait, ok = limit-now, true
		}
		s.mu.Unlock()
		var fire <-chan time.Time
		if ok {
			timer.Reset(wait)
			fire = timer.C
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.wake:
		case <-fire:
		}
		timer.Stop()
	}
}

// elapsed returns the clock's time as an offset from base.
func (s *Scheduler) elapsed() time.Duration { return s.clock.Now().Sub(s.base) }

// pop removes the earliest event. s.mu must be held.
func (s *Scheduler) pop() *Event { return heap.Pop(&s.queue).(*Event) }

// fire runs e, which pop has just removed; s.mu is held on entry and
// released before e's function runs, so that it can schedule events.
func (s *Scheduler) fire(e *Event) {
	trace := s.trace
	s.mu.Unlock()
	now := s.clock.Now()
	if s.virt != nil {
		now = s.virt.AdvanceTo(e.at)
	}
	if trace != nil {
		trace(now, e)
	}
	e.fn()
}

// eventQueue is a min-heap of events ordered by (key, seq).
type eventQueue []*Event

func (q eventQueue) Len() int { return len(q) }

func (q eventQueue) Less(i, j int) bool {
	if q[i].key != q[j].key {
		return q[i].key < q[j].key
	}
	return q[i].seq < q[j].seq
}

func (q eventQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index = i
	q[j].index = j
}

func (q *eventQueue) Push(x any) {
	e := x.(*Event)
	e.index = len(*q)
	*q = append(*q, e)
}

func (q *eventQueue) Pop() any {
	old := *q
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*q = old[:n-1]
	return e
}
