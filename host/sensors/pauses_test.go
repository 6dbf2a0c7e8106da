package sensors

import (
	"testing"
	"time"
)

func TestPauses(t *testing.T) {
	s := time.Second
	var p Pauses
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(p.Pause(10 * s))
	must(p.Resume(15 * s))
	must(p.Pause(20 * s))
	must(p.Resume(20 * s)) // a pause of no length
	must(p.Pause(30 * s))
	for _, c := range []struct {
		at, want time.Duration
		paused   bool
	}{
		{-s, 0, false},
		{0, 0, false},
		{10 * s, 10 * s, true},
		{12 * s, 10 * s, true},
		{15 * s, 10 * s, false},
		{20 * s, 15 * s, false},
		{30 * s, 25 * s, true},
		{time.Hour, 25 * s, true},
	} {
		if got := p.Elapsed(c.at); got != c.want {
			t.Errorf("Elapsed(%v) = %v, want %v", c.at, got, c.want)
		}
		if got := p.Paused(c.at); got != c.paused {
			t.Errorf("Paused(%v) = %v, want %v", c.at, got, c.paused)
		}
	}
	for _, c := range []struct {
		elapsed, want time.Duration
		ok            bool
	}{
		{0, 0, true},
		{10 * s, 10 * s, true},
		{11 * s, 16 * s, true},
		{25 * s, 30 * s, true},
		{26 * s, 30 * s, false},
	} {
		got, ok := p.Offset(c.elapsed)
		if got != c.want || ok != c.ok {
			t.Errorf("Offset(%v) = %v, %v, want %v, %v", c.elapsed, got, ok, c.want, c.ok)
		}
	}
	if err := p.Pause(40 * s); err == nil {
		t.Error("Pause while paused: no error")
	}
	if err := p.Resume(25 * s); err == nil {
		t.Error("Resume before the previous event: no error")
	}
	must(p.Resume(40 * s))
	if err := p.Resume(50 * s); err == nil {
		t.Error("Resume while running: no error")
	}
	if got := p.Elapsed(50 * s); got != 35*s {
		t.Errorf("Elapsed(50s) = %v, want 35s", got)
	}
}

func TestErrorText(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{"hr.csv", 3, "bad"}, "hr.csv:3: bad"},
		{Error{"hr.csv", 0, "empty"}, "hr.csv: empty"},
		{Error{"", 2, "bad"}, "<data>:2: bad"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("%#v: got %q, want %q", c.e, got, c.want)
		}
	}
	es := Errors{{"a", 1, "x"}, {"a", 2, "y"}}
	if got := es.Error(); got != "a:1: x\na:2: y" {
		t.Errorf("Errors: got %q", got)
	}
	if (Errors{}).Err() != nil {
		t.Error("empty Errors.Err() != nil")
	}
}

// line is a Source of value 2·seconds from 0 s to 100 s.
type line struct{}

func (line) At(d time.Duration) (float64, bool) {
	if d < 0 || d > 100*time.Second {
		return 0, false
	}
	return 2 * d.Seconds(), true
}
func (line) Span() (time.Duration, time.Duration) { return 0, 100 * time.Second }

func TestCumulative(t *testing.T) {
	s := time.Second
	var p Pauses
	for _, err := range []error{p.Pause(10 * s), p.Resume(15 * s), p.Pause(90 * s)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		at   time.Duration
		want float64
	}{
		{0, 0},
		{5 * s, 10},
		{10 * s, 20},
		{12 * s, 20},
		{15 * s, 20},
		{20 * s, 30},
		{90 * s, 170},
		{200 * s, 170},
	} {
		if got, ok := p.Cumulative(line{}, c.at); got != c.want || !ok {
			t.Errorf("Cumulative(%v) = %v, %v; want %v", c.at, got, ok, c.want)
		}
	}
	var running Pauses // never paused: src held past its end
	if got, _ := running.Cumulative(line{}, time.Hour); got != 200 {
		t.Errorf("never paused, after the end: %v, want 200", got)
	}
}

func TestHold(t *testing.T) {
	h := Hold(line{})
	for _, c := range []struct {
		at   time.Duration
		want float64
	}{{-time.Second, 0}, {50 * time.Second, 100}, {time.Hour, 200}} {
		if got, ok := h.At(c.at); got != c.want || !ok {
			t.Errorf("Hold At(%v) = %v, %v; want %v", c.at, got, ok, c.want)
		}
	}
	if Hold(nil) != nil {
		t.Error("Hold(nil) != nil")
	}
}
