package trace

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

func sample(w *Writer) {
	w.Span("dev.a", "did_finish_launching", "call", t0, 2*time.Millisecond, map[string]any{"fuel": 39176, "status": "ok"})
	w.Begin("dev.a", "application_refresh", "task", "1", t0.Add(time.Second), nil)
	w.Span("dev.a", "background_tasks", "call", t0.Add(time.Second), time.Millisecond, map[string]any{"fuel": 1200})
	w.Instant("dev.a", "refresh.hourly_budget", "decision", t0.Add(2*time.Second), map[string]any{"used": 3, "limit": 4})
	w.Counter("dev.a", "refresh budget", t0.Add(2*time.Second), 1)
	w.Span("dev.b", "did_finish_launching", "call", t0.Add(1500*time.Millisecond), time.Millisecond, nil)
	w.End("dev.a", "application_refresh", "task", "1", t0.Add(3*time.Second), map[string]any{"completed": true})
}

func TestWriterOutputLoadsAndNests(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := New(&buf, t0)
	sample(w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	events, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(events); err != nil {
		t.Fatal(err)
	}
	// 6 metadata events per app, 7 events.
	if len(events) != 19 {
		t.Errorf("%d events, want 19:\n%s", len(events), buf.String())
	}
	want := `{"name":"background_tasks","cat":"call","ph":"X","ts":1000000,"dur":1000,"pid":1,"tid":1,"args":{"fuel":1200}}`
	if !strings.Contains(buf.String(), want) {
		t.Errorf("trace lacks %s:\n%s", want, buf.String())
	}
}

// TestCutShortTraceLoads: a run that dies before Close leaves a trace
// without its closing bracket, which still parses.
func TestCutShortTraceLoads(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := New(&buf, t0)
	sample(w)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if bytes.HasSuffix(bytes.TrimSpace(buf.Bytes()), []byte("]")) {
		t.Fatal("a flushed, unclosed trace already ends with ]")
	}
	events, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(events); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFindsBrokenTraces(t *testing.T) {
	t.Parallel()
	d := func(v float64) *float64 { return &v }
	name := Event{Name: "process_name", Ph: "M", PID: 1, Args: map[string]any{"name": "a"}}
	for _, tc := range []struct {
		name   string
		events []Event
		want   string
	}{
		{"unnamed process", []Event{{Name: "x", Ph: "X", PID: 2, TID: 1, Dur: d(1)}}, "no process_name"},
		{"partial overlap", []Event{name, {Name: "a", Ph: "X", PID: 1, TID: 1, TS: 0, Dur: d(10)}, {Name: "b", Ph: "X", PID: 1, TID: 1, TS: 5, Dur: d(10)}}, "overlaps"},
		{"end without begin", []Event{name, {Name: "t", Ph: "e", PID: 1, Cat: "task", ID: "1"}}, "without a begin"},
		{"no duration", []Event{name, {Name: "a", Ph: "X", PID: 1, TID: 1}}, "duration"},
	} {
		err := Check(tc.events)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Check = %v, want %q", tc.name, err, tc.want)
		}
	}
	ok := []Event{name, {Name: "outer", Ph: "X", PID: 1, TID: 1, TS: 0, Dur: d(10)}, {Name: "inner", Ph: "X", PID: 1, TID: 1, TS: 2, Dur: d(3)}, {Name: "next", Ph: "X", PID: 1, TID: 1, TS: 10, Dur: d(1)}}
	if err := Check(ok); err != nil {
		t.Errorf("nested and adjacent spans: %v", err)
	}
}

// TestCheckTakesSpansThatTouchAsNested: a span that starts where the one
// before it ends (in nanoseconds) does not overlap it, though the sum of
// the floating-point start and duration is a hair past it.
func TestCheckTakesSpansThatTouchAsNested(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := New(&buf, t0)
	w.Span("dev.a", "will_enter_foreground", "call", t0.Add(7443104*time.Nanosecond), 4676*time.Nanosecond, nil)
	w.Span("dev.a", "did_become_active", "call", t0.Add(7447780*time.Nanosecond), 4656*time.Nanosecond, nil)
	w.Close()
	events, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(events); err != nil {
		t.Fatal(err)
	}
}

// TestParseLeavesItsInputAlone: closing a cut-short trace's array used to
// append the bracket into the caller's buffer, over the byte after the
// last event (here the comma the test then finds changed).
func TestParseLeavesItsInputAlone(t *testing.T) {
	t.Parallel()
	data := []byte(`[{"name":"a","ph":"M","pid":1},` + "\n")
	kept := string(data)
	if _, err := Parse(data[:len(data)-1]); err != nil {
		t.Fatal(err)
	}
	if string(data) != kept {
		t.Errorf("Parse changed its input to %q", data)
	}
}
