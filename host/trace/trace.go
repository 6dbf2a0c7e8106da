// Package trace writes a run's timeline as Chrome trace-event JSON, the
// format ui.perfetto.dev and chrome://tracing open.
//
// The file is the JSON array form, written as events happen: "[" first,
// one event per line, and "]" only on Close. The format allows the closing
// bracket to be missing, so the trace of a run that crashed still loads.
//
// Each app is a process (pid), named after its bundle id. Its guest calls
// are complete ("X") spans on one thread, so they nest by construction
// (an app's calls are serialized); open tasks, sessions and pending
// notifications are async ("b"/"e") spans, which may overlap; decisions
// are process-scoped instants ("i"); budgets and fuel are counters ("C");
// the app's life-cycle states are complete spans on a second thread.
// Times are microseconds since the trace's origin, the start of the run.
package trace

import (
	"bufio"
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Thread ids within an app's process.
const (
	CallsThread = 1 // guest calls, as complete spans
	StateThread = 2 // the app's life-cycle states, one complete span each
)

// Event is one trace event, in the field order the format documents.
type Event struct {
	Name  string         `json:"name"`
	Cat   string         `json:"cat,omitempty"`
	Ph    string         `json:"ph"`
	TS    float64        `json:"ts"`
	Dur   *float64       `json:"dur,omitempty"`
	PID   int            `json:"pid"`
	TID   int            `json:"tid"`
	ID    string         `json:"id,omitempty"`
	Scope string         `json:"s,omitempty"`
	Args  map[string]any `json:"args,omitempty"`
}

// Writer streams trace events to an io.Writer. It is safe for concurrent
// use. Errors are sticky: after the first failed write the others do
// nothing, and Flush and Close return it.
type Writer struct {
	mu     sync.Mutex
	w      *bufio.Writer
	origin time.Time
	pids   map[string]int
	n      int // events written
	err    error
}

// New starts a trace on w whose times count from origin.
func New(w io.Writer, origin time.Time) *Writer {
	t := &Writer{w: bufio.NewWriter(w), origin: origin, pids: map[string]int{}}
	_, t.err = t.w.WriteString("[\n")
	return t
}

// us is t's offset from the origin in microseconds.
func (t *Writer) us(at time.Time) float64 {
	return float64(at.Sub(t.origin).Nanoseconds()) / 1e3
}

// pid returns app's process id, naming the process on first use. The
// caller holds t.mu.
func (t *Writer) pid(app string) int {
	if p, ok := t.pids[app]; ok {
		return p
	}
	p := len(t.pids) + 1
	t.pids[app] = p
	t.emit(Event{Name: "process_name", Ph: "M", PID: p, Args: map[string]any{"name": app}})
	t.emit(Event{Name: "process_sort_index", Ph: "M", PID: p, Args: map[string]any{"sort_index": p}})
	t.emit(Event{Name: "thread_name", Ph: "M", PID: p, TID: CallsThread, Args: map[string]any{"name": "calls"}})
	t.emit(Event{Name: "thread_sort_index", Ph: "M", PID: p, TID: CallsThread, Args: map[string]any{"sort_index": CallsThread}})
	t.emit(Event{Name: "thread_name", Ph: "M", PID: p, TID: StateThread, Args: map[string]any{"name": "life cycle"}})
	t.emit(Event{Name: "thread_sort_index", Ph: "M", PID: p, TID: StateThread, Args: map[string]any{"sort_index": StateThread}})
	return p
}

// emit writes one event line. The caller holds t.mu.
func (t *Writer) emit(e Event) {
	if t.err != nil {
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.err = err
		return
	}
	if t.n > 0 {
		if _, t.err = t.w.WriteString(",\n"); t.err != nil {
			return
		}
	}
	_, t.err = t.w.Write(b)
	t.n++
}

// Span records a guest call of app as a complete span from start for dur,
// with args (fuel, status, ...) shown when it is selected.
func (t *Writer) Span(app, name, cat string, start time.Time, dur time.Duration, args map[string]any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d := float64(dur.Nanoseconds()) / 1e3
	t.emit(Event{Name: name, Cat: cat, Ph: "X", TS: t.us(start), Dur: &d, PID: t.pid(app), TID: CallsThread, Args: args})
}

// State records that app was in the life-cycle state name from start for
// dur, as a complete span on its life-cycle thread. States follow each
// other, so these spans never overlap.
func (t *Writer) State(app, name string, start time.Time, dur time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d := float64(dur.Nanoseconds()) / 1e3
	t.emit(Event{Name: name, Cat: "state", Ph: "X", TS: t.us(start), Dur: &d, PID: t.pid(app), TID: StateThread})
}

// Begin opens an async span of app (a task, a session, a pending
// notification) identified by cat and id, which End closes. Async spans
// may overlap each other and the calls.
func (t *Writer) Begin(app, name, cat, id string, at time.Time, args map[string]any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.emit(Event{Name: name, Cat: cat, Ph: "b", TS: t.us(at), PID: t.pid(app), TID: CallsThread, ID: id, Args: args})
}

// End closes the async span that Begin opened with the same cat and id.
func (t *Writer) End(app, name, cat, id string, at time.Time, args map[string]any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.emit(Event{Name: name, Cat: cat, Ph: "e", TS: t.us(at), PID: t.pid(app), TID: CallsThread, ID: id, Args: args})
}

// Instant records a moment of app's process: a decision, with its rule id
// and numbers in args.
func (t *Writer) Instant(app, name, cat string, at time.Time, args map[string]any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.emit(Event{Name: name, Cat: cat, Ph: "i", Scope: "p", TS: t.us(at), PID: t.pid(app), TID: CallsThread, Args: args})
}

// Counter sets the counter track name of app to value at a time: a
// budget's remaining count, or the fuel of a call.
func (t *Writer) Counter(app, name string, at time.Time, value float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.emit(Event{Name: name, Ph: "C", TS: t.us(at), PID: t.pid(app), Args: map[string]any{"value": value}})
}

// Flush writes buffered events through, so that the file holds a loadable
// trace so far (without its closing bracket).
func (t *Writer) Flush() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = t.w.Flush()
	}
	return t.err
}

// Close ends the array and flushes. It does not close the io.Writer.
func (t *Writer) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		_, t.err = t.w.WriteString("\n]\n")
	}
	if t.err == nil {
		t.err = t.w.Flush()
	}
	return t.err
}
