package clock

import (
	"math"
	"math/bits"
	"sync"
	"time"
)

// CPUTime returns the CPU time that fuel metered instructions take at rate
// instructions per second: fuel*1e9/rate nanoseconds, rounded down, computed
// exactly in integers (so it is the same on every platform) and saturating
// at the largest time.Duration. It is 0 if fuel or rate is not positive.
func CPUTime(fuel, rate int64) time.Duration {
	if fuel <= 0 || rate <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(fuel), uint64(time.Second))
	if hi >= uint64(rate) {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, uint64(rate))
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(q)
}

// CallConfig describes one guest call for NewCall.
type CallConfig struct {
	// Rate is the device's instruction rate (profile.Profile.InstructionRate):
	// under the virtual clock, FuelUsed()/Rate seconds of CPU time have
	// passed since the call started.
	Rate int64

	// FuelUsed returns the fuel the call has used so far; the host passes a
	// closure reading the call's metering global. Nil means no fuel is ever
	// used. It may be called from any goroutine that calls the Call.
	FuelUsed func() int64

	// Deadline, if not zero, is the call's wall-clock deadline: Sleep does
	// not sleep past it, and Expired reports when it is reached.
	Deadline time.Time

	// Budget, if Deadline is zero and Budget is positive, makes the
	// deadline the call's start plus Budget. It is worked out only when
	// Sleep or Expired needs it, so that a call that does neither pays
	// for no time arithmetic (a time.Time's Add, some 9 ns of a warm
	// event on the development VM).
	Budget time.Duration

	// Stop, if not nil, is closed when the call is stopped (its deadline
	// passed or the host was interrupted). A sleep returns as soon as it is
	// closed, and a sleep begun after it is closed does not sleep at all.
	Stop <-chan struct{}
}

// Call is the guest's clock during one call: its wall clock, its
// monotonic clock and its sleeps all go through it.
//
// Under a *Virtual clock nothing blocks and no real time is read: Now is the
// call's start plus the CPU time of the fuel used so far plus the time slept
// so far, and Sleep adds to the time slept. Under any other clock Now is the
// clock's time and Sleep blocks for real.
//
// After the call, the host passes Elapsed to Scheduler.Advance so that the
// scheduler's clock moves past the call (in real mode this does nothing:
// the time has already passed).
//
// A Call is safe for concurrent use during a call, as long as FuelUsed
// is; Reset and ResetAt start a call and must not run concurrently with
// its other methods.
type Call struct {
	clock   Clock
	virtual bool
	real    bool // clock is Real: Elapsed reads only the monotonic clock
	start   time.Time
	// mono is start in nanoseconds since Epoch on the monotonic clock,
	// when monoOK: a call that Begin started on the Real clock.
	mono   int64
	monoOK bool
	cfg    CallConfig

	mu    sync.Mutex
	slept time.Duration
}

// NewCall returns the clock of a call that starts now on clock.
func NewCall(clock Clock, cfg CallConfig) *Call {
	c := &Call{}
	c.Reset(clock, cfg)
	return c
}

// Reset starts c over for a new call, as NewCall does, so that a host
// can reuse one Call per app instead of allocating one per call.
func (c *Call) Reset(clock Clock, cfg CallConfig) {
	c.ResetAt(clock, clock.Now(), cfg)
}

// ResetAt is Reset with the call's start time given, for a caller that has
// just read the clock.
func (c *Call) ResetAt(clock Clock, start time.Time, cfg CallConfig) {
	_, virtual := clock.(*Virtual)
	if virtual && !cfg.Deadline.IsZero() {
		cfg.Deadline = cfg.Deadline.Round(0)
	}
	_, real := clock.(Real)
	// No lock: a new call starts on the goroutine that runs it, before
	// anything else can use c (the fields above are read without one).
	c.clock, c.virtual, c.real, c.start, c.cfg, c.slept = clock, virtual, real, start, cfg, 0
	c.mono, c.monoOK = 0, false
}

// Begin starts c over for a new call as Reset does, with a CallConfig of
// rate, fuelUsed and budget (a budget of zero or less is a deadline at the
// start plus budget) and no Stop (see SetStop), and returns the call's
// start. It reads clock once. It is the host's call path: the
// configuration is written in place, not copied through a CallConfig
// (the copy, a stack argument of some 60 bytes, stalled a warm event's
// profile), and under the Real clock the start's monotonic nanoseconds
// are kept, so that Elapsed and StartNanos need no time arithmetic.
func (c *Call) Begin(clock Clock, rate int64, fuelUsed func() int64, budget time.Duration) time.Time {
	c.clock, c.virtual, c.real, c.monoOK = clock, false, false, false
	switch clk := clock.(type) {
	case Real:
		c.real, c.monoOK = true, true
		c.start, c.mono = realNow()
	case *Virtual:
		c.virtual = true
		c.start = clk.Now()
	default:
		c.start = clock.Now()
	}
	c.cfg.Rate, c.cfg.FuelUsed, c.cfg.Budget, c.cfg.Stop = rate, fuelUsed, budget, nil
	c.cfg.Deadline = time.Time{}
	if budget <= 0 {
		// Budget serves positive budgets only.
		c.cfg.Deadline = c.start.Add(budget)
		if c.virtual {
			c.cfg.Deadline = c.cfg.Deadline.Round(0)
		}
	}
	c.slept = 0
	return c.start
}

// SetStop sets the call's Stop channel (CallConfig.Stop), for a call
// started with Begin; like Begin, it must come before the call uses c.
func (c *Call) SetStop(stop <-chan struct{}) { c.cfg.Stop = stop }

// StartNanos returns the call's start as nanoseconds since Epoch: on the
// monotonic clock for a start with a monotonic reading (any start of the
// Real clock).
func (c *Call) StartNanos() int64 {
	if c.monoOK {
		return c.mono
	}
	return int64(c.start.Sub(Epoch))
}

// Start returns the time the call started.
func (c *Call) Start() time.Time { return c.start }

// CPU returns the CPU time the fuel used so far stands for, at the
// configured rate. It is meaningful under either clock; only the virtual
// clock counts it as time passing.
func (c *Call) CPU() time.Duration {
	if c.cfg.FuelUsed == nil {
		return 0
	}
	return CPUTime(c.cfg.FuelUsed(), c.cfg.Rate)
}

// Slept returns the time the call has spent in Sleep so far.
func (c *Call) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

// Elapsed returns how long the call has taken so far: CPU plus Slept under
// the virtual clock, the time since Start under a real one.
func (c *Call) Elapsed() time.Duration {
	if c.virtual {
		return sat(c.CPU(), c.Slept())
	}
	if c.monoOK {
		// One monotonic read, and an integer subtraction.
		return time.Duration(sinceEpoch() - c.mono)
	}
	if c.real {
		// time.Since reads only the monotonic clock when start has a
		// monotonic reading, where Now reads the wall clock as well.
		return time.Since(c.start)
	}
	return c.clock.Now().Sub(c.start)
}

// Now returns the guest's current time: Start plus Elapsed.
func (c *Call) Now() time.Time {
	if c.virtual {
		return c.start.Add(c.Elapsed())
	}
	return c.clock.Now()
}

// Expired reports whether the call has reached its deadline (never, without
// one).
func (c *Call) Expired() bool {
	dl := c.deadline()
	return !dl.IsZero() && !c.Now().Before(dl)
}

// deadline is the call's deadline (CallConfig's Deadline, or its start
// plus Budget), or the zero time when it has none.
func (c *Call) deadline() time.Time {
	if c.cfg.Deadline.IsZero() && c.cfg.Budget > 0 {
		dl := c.start.Add(c.cfg.Budget)
		if c.virtual {
			dl = dl.Round(0)
		}
		return dl
	}
	return c.cfg.Deadline
}

// Sleep sleeps for d, but not past the deadline nor once Stop is closed, and
// reports whether it slept the whole of d. Under the virtual clock it does not
// block: it adds the time slept to the call's time. Under a real clock it
// blocks.
func (c *Call) Sleep(d time.Duration) bool {
	if c.stopped() {
		return false
	}
	if d <= 0 {
		return true
	}
	now := c.Now()
	full := true
	if dl := c.deadline(); !dl.IsZero() && now.Add(d).After(dl) {
		d, full = max(dl.Sub(now), 0), false
	}
	if c.virtual {
		c.addSlept(d)
		return full
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		c.addSlept(d)
		return full
	case <-c.cfg.Stop:
		c.addSlept(c.clock.Now().Sub(now))
		return false
	}
}

func (c *Call) addSlept(d time.Duration) {
	c.mu.Lock()
	c.slept = sat(c.slept, d)
	c.mu.Unlock()
}

func (c *Call) stopped() bool {
	select {
	case <-c.cfg.Stop:
		return true
	default:
		return false
	}
}

// sat returns a+b for non-negative a and b, saturating at the largest
// time.Duration.
func sat(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
