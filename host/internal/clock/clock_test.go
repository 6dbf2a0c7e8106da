package clock

import (
	"strings"
	"testing"
	"time"
)

func TestVirtualDefaultStart(t *testing.T) {
	v := NewVirtual(time.Time{})
	if got, want := v.Now().Format(time.RFC3339), "2026-01-01T00:00:00Z"; got != want {
		t.Fatalf("NewVirtual(zero).Now() = %s, want %s", got, want)
	}
}

func TestVirtualOnlyMovesForward(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	v := NewVirtual(start)
	if got := v.Advance(90 * time.Second); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("Advance(90s) = %v", got)
	}
	if got := v.Advance(-time.Hour); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("Advance(-1h) moved the clock to %v", got)
	}
	if got := v.AdvanceTo(start); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("AdvanceTo(earlier) moved the clock to %v", got)
	}
	later := start.Add(time.Hour)
	if got := v.AdvanceTo(later); !got.Equal(later) {
		t.Fatalf("AdvanceTo(later) = %v, want %v", got, later)
	}
	if !v.Now().Equal(later) {
		t.Fatalf("Now() = %v after AdvanceTo(%v)", v.Now(), later)
	}
}

func TestVirtualDropsMonotonicAndKeepsZone(t *testing.T) {
	// A start with a monotonic reading must not leak it: the times would
	// then print "m=+..." and differ between runs.
	v := NewVirtual(time.Now())
	if s := v.Now().String(); containsM(s) {
		t.Fatalf("virtual time carries a monotonic reading: %s", s)
	}
	v.AdvanceTo(time.Now().Add(time.Hour))
	if s := v.Now().String(); containsM(s) {
		t.Fatalf("AdvanceTo kept a monotonic reading: %s", s)
	}

	// AdvanceTo keeps the clock's zone, so output does not depend on the
	// zone of whatever instant the clock was moved to.
	u := NewVirtual(DefaultStart)
	u.AdvanceTo(DefaultStart.Add(time.Hour).In(time.FixedZone("X", 3600)))
	if got := u.Now().Location(); got != time.UTC {
		t.Fatalf("zone after AdvanceTo = %v, want UTC", got)
	}
}

func containsM(s string) bool { return strings.Contains(s, " m=") }

func TestRealClock(t *testing.T) {
	before := time.Now()
	got := Real{}.Now()
	if got.Before(before) || got.Sub(before) > time.Second {
		t.Fatalf("Real.Now() = %v, want about %v", got, before)
	}
}

// TestRealClockAnchored: Real's reads between anchors carry a monotonic
// reading, never go back, agree with time.Now's wall clock, and the
// anchor is read again once it is reanchor old.
func TestRealClockAnchored(t *testing.T) {
	prev := Real{}.Now()
	for range 1000 {
		now := Real{}.Now()
		if now.Before(prev) {
			t.Fatalf("Real.Now went back: %v after %v", now, prev)
		}
		if !containsM(now.String()) {
			t.Fatalf("Real.Now() = %v has no monotonic reading", now)
		}
		if d := time.Now().Round(0).Sub(now.Round(0)); d < -time.Millisecond || d > 50*time.Millisecond {
			t.Fatalf("Real.Now()'s wall time is %v behind time.Now's", d)
		}
		prev = now
	}
	oldT := time.Now().Add(-reanchor)
	old := &anchor{t: oldT, mono: int64(oldT.Sub(Epoch))}
	realAnchor.Store(old)
	Real{}.Now()
	if realAnchor.Load() == old {
		t.Error("the anchor was not read again once reanchor old")
	}
}
