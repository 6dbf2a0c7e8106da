package drive

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/trace"
)

// traceSample feeds a tracer what a run reports: state changes through
// the log, calls, a budget decision and a task completed inside the call
// that delivered it (decided before the call is reported).
func traceSample(tr *Tracer, clock *time.Time) {
	at := func(d time.Duration) time.Time { return t9.Add(d) }
	logs := tr.Logs()
	state := func(d time.Duration, to string) {
		*clock = at(d)
		logs.Write([]byte(`{"level":"info","app":"dev.a","from":"x","to":"` + to + `","message":"state"}`))
	}
	state(0, "inactive")
	tr.Call(host.Call{App: "dev.a", Time: at(0), Event: abi.EventDidFinishLaunching, ID: 1, Fuel: 1000, Duration: time.Millisecond, State: abi.StateInactive})
	state(time.Millisecond, "active")
	state(time.Minute, "background")
	tr.Decision(host.Decision{Time: at(time.Minute), App: "dev.a", Kind: "refresh", Verdict: "scheduled", Rule: "refresh.scheduled",
		Reason: "refresh scheduled", Numbers: map[string]int64{"used": 1, "limit": 4}})
	tr.Decision(host.Decision{Time: at(time.Minute + 2*time.Millisecond), App: "dev.a", Kind: "task", Verdict: "completed", Rule: "task.completed",
		Reason: "snapshot task 1 completed after 2ms (snapshot: false)"})
	tr.Call(host.Call{App: "dev.a", Time: at(time.Minute), Event: abi.EventBackgroundTasks, ID: 2, Fuel: 2000, Duration: 3 * time.Millisecond, State: abi.StateBackground})
	state(2*time.Minute, "suspended")
}

var t9 = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// TestTracerWritesALoadableTrace: the tracer's output parses, every span
// nests on its track and every async span is closed; it has a call span
// with its fuel, the task from its delivering call to its completion, the
// states, the decision as an instant and the budget left as a counter.
func TestTracerWritesALoadableTrace(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	clock := t9
	tr := NewTracer(&buf, t9, func() time.Time { return clock })
	traceSample(tr, &clock)
	if err := tr.Close(t9.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	events, err := trace.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Check(events); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	var got []string
	for _, e := range events {
		switch e.Ph {
		case "X", "b", "e", "i":
			got = append(got, e.Ph+" "+e.Name+" "+fmtTS(e.TS))
		case "C":
			got = append(got, e.Ph+" "+e.Name+" "+fmtTS(e.Args["value"].(float64)))
		}
	}
	want := []string{
		"X did_finish_launching 0", "C fuel per call 1000",
		"X inactive 0",
		"X active 1000",
		"i refresh.scheduled 60000000", "C refresh budget left 3",
		"i task.completed 60002000",
		"X background_tasks 60000000", "C fuel per call 2000",
		"b snapshot task 1 60000000", "e snapshot task 1 60002000",
		"X background 60000000",
		"X suspended 120000000",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func fmtTS(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// TestTracerOfACrashedRunLoads: a run that dies leaves its trace without
// the closing bracket; what was flushed still parses and checks.
func TestTracerOfACrashedRunLoads(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	clock := t9
	tr := NewTracer(&buf, t9, func() time.Time { return clock })
	traceSample(tr, &clock) // and no Close
	if strings.HasSuffix(strings.TrimSpace(buf.String()), "]") {
		t.Fatal("the trace is closed before Close")
	}
	events, err := trace.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Check(events); err != nil {
		t.Fatal(err)
	}
	if len(events) < 10 {
		t.Errorf("%d events flushed, want every event reported so far:\n%s", len(events), buf.String())
	}
}

// TestTracerSpansAndBudgets: pending notifications and sessions are async
// spans from their start to their end (those still open end with the
// run, an end whose start was not seen is left out), and Bluetooth
// alerts and scans count down one shared budget track, back at its limit
// when opening the app resets it.
func TestTracerSpansAndBudgets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	clock := t9
	tr := NewTracer(&buf, t9, func() time.Time { return clock })
	at := func(d time.Duration) time.Time { return t9.Add(d) }
	tr.Span(host.Span{App: "dev.a", Cat: "notification", Name: "notification n1", ID: "n1", Time: at(0)})
	tr.Span(host.Span{App: "dev.a", Cat: "session", Name: "workout session", ID: "workout", Time: at(time.Second)})
	tr.Span(host.Span{App: "dev.a", Cat: "notification", Name: "notification old", ID: "old", End: true, Time: at(time.Second), Why: "delivered"})
	tr.Decision(host.Decision{Time: at(2 * time.Second), App: "dev.a", Kind: "bluetooth_alert", Verdict: "run", Rule: "bluetooth.run",
		Numbers: map[string]int64{"used": 1, "limit": 5}})
	tr.Decision(host.Decision{Time: at(3 * time.Second), App: "dev.a", Kind: "bluetooth_scan", Verdict: "run", Rule: "bluetooth.run",
		Numbers: map[string]int64{"used": 2, "limit": 5}})
	tr.Decision(host.Decision{Time: at(4 * time.Second), App: "dev.a", Kind: "bluetooth_alert", Verdict: "reset", Rule: "bluetooth.reset_on_open",
		Numbers: map[string]int64{"cleared": 2, "limit": 5}})
	tr.Span(host.Span{App: "dev.a", Cat: "notification", Name: "notification n1", ID: "n1", End: true, Time: at(10 * time.Second), Why: "delivered"})
	if err := tr.Close(at(time.Minute)); err != nil {
		t.Fatal(err)
	}
	events, err := trace.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Check(events); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	var got []string
	for _, e := range events {
		switch e.Ph {
		case "b", "e":
			got = append(got, e.Ph+" "+e.Cat+" "+e.Name+" "+fmtTS(e.TS)+" "+fmt.Sprint(e.Args["ended"]))
		case "C":
			got = append(got, e.Ph+" "+e.Name+" "+fmtTS(e.Args["value"].(float64)))
		}
	}
	want := []string{
		"b notification notification n1 0 <nil>",
		"b session workout session 1000000 <nil>",
		"C bluetooth budget left 4",
		"C bluetooth budget left 3",
		"C bluetooth budget left 5",
		"e notification notification n1 10000000 delivered",
		"e session workout session 60000000 still open when the run ended",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTracerNamesAReloadByItsSwap: a reload that kept the old version is
// a "reload failed" span with its error; one whose new version is in
// place though a call of the swap failed is a "reload" span that still
// carries the error.
func TestTracerNamesAReloadByItsSwap(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	clock := t9
	tr := NewTracer(&buf, t9, func() time.Time { return clock })
	clock = t9.Add(time.Second)
	tr.Reload("dev.a", 100*time.Millisecond, map[string]any{"swapped": false}, fmt.Errorf("build failed"))
	clock = t9.Add(2 * time.Second)
	tr.Reload("dev.a", 100*time.Millisecond, map[string]any{"swapped": true}, fmt.Errorf("did_finish_launching trapped"))
	clock = t9.Add(3 * time.Second)
	tr.Reload("dev.a", 100*time.Millisecond, map[string]any{"swapped": true}, nil)
	if err := tr.Close(t9.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	events, err := trace.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Ph == "e" && e.Cat == "reload" {
			got = append(got, fmt.Sprintf("%s error=%v", e.Name, e.Args["error"]))
		}
	}
	want := []string{
		"reload failed error=build failed",
		"reload error=did_finish_launching trapped",
		"reload error=<nil>",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reload spans:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), buf.String())
	}
}
