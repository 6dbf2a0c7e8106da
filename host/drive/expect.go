package drive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/scenario"
)

// Outcome is an expectation checked against a run.
type Outcome struct {
	// Expect is the expectation.
	Expect scenario.Expect
	// Pass says whether the run met it.
	Pass bool
	// Want says what was expected, in words, with bundle ids and times.
	Want string
	// Got says what happened: what matched, or for a failure what
	// happened nearby in time (or the file's content).
	Got string
}

// Checker checks expectations against a run's Record.
type Checker struct {
	// Record is what the run did.
	Record *Record
	// Start and End bound the run: an expectation without a time covers
	// [Start, End], and a state or file without one is checked at End.
	Start, End time.Time
	// Apps are the run's apps by the names expectations use (aliases).
	Apps map[string]AppRef
}

// AppRef is what a Checker knows of an app.
type AppRef struct {
	ID        string // bundle id
	Container string // data container directory
}

// Check checks e.
func (c Checker) Check(e scenario.Expect) Outcome {
	o := Outcome{Expect: e}
	id := ""
	app, ok := c.Apps[e.App]
	if e.App != "" {
		if !ok {
			o.Want, o.Got = "an app "+e.App, "no such app in the run"
			return o
		}
		id = app.ID
	}
	from, to, timed := e.Window()
	if !timed {
		from, to = c.Start, c.End
	}
	when := "in the run"
	switch {
	case !timed:
	case e.Precision > 0:
		when = "at " + clock(e.From, e.Precision)
	default:
		when = "between " + stamp(from) + " and " + stamp(to)
	}
	who := id
	if who == "" {
		who = "any app"
	}
	not := map[bool]string{true: "no ", false: ""}[e.Not]
	var hits []string
	ctx := "" // for a failure: what happened nearby
	switch e.What {
	case scenario.ExpectTask:
		o.Want = fmt.Sprintf("%s%s task delivered to %s %s", not, abi.TaskKindName(e.Task), id, when)
		var same, other []Task
		for _, t := range c.Record.Tasks() {
			if t.App != id {
				continue
			}
			in := !t.Time.Before(from) && !t.Time.After(to)
			switch {
			case t.Kind == e.Task && in:
				hits = append(hits, taskText(t))
			case t.Kind == e.Task:
				same = append(same, t)
			case in:
				other = append(other, t)
			}
		}
		at := func(t Task) time.Time { return t.Time }
		switch {
		case len(same) > 0:
			ctx = "nearest: " + strings.Join(nearest(same, from, to, at, taskText), "; ")
		case len(other) > 0:
			ctx = "no " + abi.TaskKindName(e.Task) + " task at all; other tasks " + when + ": " + strings.Join(nearest(other, from, to, at, taskText), "; ")
		default:
			ctx = "no task was delivered to " + id + " " + when
		}
	case scenario.ExpectDecision:
		o.Want = fmt.Sprintf("%sdecision [%s] about %s %s", not, e.Rule, who, when)
		var same, other []host.Decision
		for _, d := range c.Record.Decisions() {
			if id != "" && d.App != id {
				continue
			}
			in := !d.Time.Before(from) && !d.Time.After(to)
			switch {
			case d.Rule == e.Rule && in:
				hits = append(hits, decisionText(d))
			case d.Rule == e.Rule:
				same = append(same, d)
			case in:
				other = append(other, d)
			}
		}
		at := func(d host.Decision) time.Time { return d.Time }
		switch {
		case len(same) > 0:
			ctx = "nearest: " + strings.Join(nearest(same, from, to, at, decisionText), "; ")
		case len(other) > 0:
			ctx = "no [" + e.Rule + "] decision at all; others " + when + ": " + strings.Join(nearest(other, from, to, at, decisionText), "; ")
		default:
			ctx = "no decision about " + who + " " + when
		}
	case scenario.ExpectKill:
		o.Want = fmt.Sprintf("%skill of %s %s", not, who, when)
		var other []host.Call
		for _, k := range c.Record.Calls() {
			if k.Crash == "" || id != "" && k.App != id {
				continue
			}
			if !k.Time.Before(from) && !k.Time.After(to) {
				hits = append(hits, callText(k))
			} else {
				other = append(other, k)
			}
		}
		ctx = "no kill in the whole run"
		if len(other) > 0 {
			ctx = "nearest: " + strings.Join(nearest(other, from, to, func(k host.Call) time.Time { return k.Time }, callText), "; ")
		}
	case scenario.ExpectState:
		return c.state(o, e, id, from, to, timed)
	case scenario.ExpectFile:
		return c.file(o, e, app)
	default:
		o.Want, o.Got = string(e.What), "unknown expectation"
		return o
	}
	o.Pass = (len(hits) > 0) != e.Not
	o.Got = strings.Join(first(hits, 5), "; ")
	switch {
	case len(hits) == 0 && e.Not:
		o.Got = "none"
	case len(hits) == 0:
		o.Got = "none; " + ctx
	}
	return o
}

// state checks a state expectation: at an instant (the end, or an at
// time), or at some moment of a window.
func (c Checker) state(o Outcome, e scenario.Expect, id string, from, to time.Time, timed bool) Outcome {
	not := map[bool]string{true: "not ", false: ""}[e.Not]
	instant := !timed || e.Precision > 0
	at := to // the end of the run, or of the at time's minute or second
	if instant {
		o.Want = fmt.Sprintf("%s %s at %s", id, not+e.State.String(), stamp(at))
		switch {
		case !timed:
			o.Want += " (the end of the run)"
		default:
			o.Want += " (the end of " + clock(e.From, e.Precision) + ")"
		}
		lookup := at
		if !timed {
			// The run's last state: calls at the end take CPU time
			// past it.
			lookup = time.Unix(1<<40, 0)
		}
		got := c.Record.StateAt(id, lookup)
		o.Pass = (got == e.State) != e.Not
		o.Got = got.String()
		if !o.Pass {
			o.Got += "; changes nearby: " + strings.Join(c.changes(id, at.Add(-time.Hour), at.Add(time.Hour)), ", ")
		}
		return o
	}
	o.Want = fmt.Sprintf("%s %s at some moment between %s and %s", id, e.State, stamp(from), stamp(to))
	if e.Not {
		o.Want = fmt.Sprintf("%s never %s between %s and %s", id, e.State, stamp(from), stamp(to))
	}
	seen := c.Record.StateAt(id, from) == e.State
	for _, s := range c.Record.States() {
		if s.App == id && s.Time.After(from) && !s.Time.After(to) && s.State == e.State {
			seen = true
		}
	}
	o.Pass = seen != e.Not
	o.Got = c.Record.StateAt(id, from).String() + " at " + stamp(from) + "; changes: " + strings.Join(c.changes(id, from, to), ", ")
	return o
}

// changes lists app's state changes in [from, to].
func (c Checker) changes(id string, from, to time.Time) []string {
	var out []string
	last := abi.State(255)
	for _, s := range c.Record.States() {
		if s.App != id || s.Time.Before(from) || s.Time.After(to) || s.State == last {
			continue
		}
		last = s.State
		out = append(out, stamp(s.Time)+" "+s.State.String())
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return first(out, 8)
}

// file checks a file expectation against the app's container now.
func (c Checker) file(o Outcome, e scenario.Expect, app AppRef) Outcome {
	id := app.ID
	b, err := os.ReadFile(filepath.Join(app.Container, filepath.FromSlash(e.Path)))
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		o.Want, o.Got = "file "+e.Path+" of "+id, err.Error()
		return o
	}
	if e.Not {
		o.Want = fmt.Sprintf("no file %s in %s's container at the end", e.Path, id)
		o.Pass = !exists
		o.Got = "no such file"
		if exists {
			o.Got = "it exists: " + shorten(string(b))
		}
		return o
	}
	if !exists {
		o.Got = "no such file; the container holds: " + listContainer(app.Container)
	}
	if e.Content != nil {
		o.Want = fmt.Sprintf("%s's file %s holding %q at the end", id, e.Path, *e.Content)
		if exists {
			o.Pass = string(b) == *e.Content
			o.Got = strconv.Quote(string(b[:min(len(b), 200)]))
		}
		return o
	}
	o.Want = fmt.Sprintf("%s's file %s holding %s at the end (JSON, compared structurally; keys left out are not compared)", id, e.Path, e.JSON)
	if !exists {
		return o
	}
	var want, got any
	json.Unmarshal(e.JSON, &want)
	if err := json.Unmarshal(b, &got); err != nil {
		o.Got = "not JSON (" + err.Error() + "): " + shorten(string(b))
		return o
	}
	diff := JSONDiff("", want, got)
	o.Pass = len(diff) == 0
	var compact bytes.Buffer
	if json.Compact(&compact, b) != nil {
		compact.Write(b)
	}
	o.Got = shorten(compact.String())
	if !o.Pass {
		o.Got += "; differs at " + strings.Join(first(diff, 5), ", ")
	}
	return o
}

// JSONDiff lists where got does not match want, both decoded JSON values:
// paths such as .temp or .recent[2].from, with both values. An object
// matches when every key want gives matches (got may have more); an
// array when it has as many elements and each matches; anything else when
// it is equal.
func JSONDiff(at string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			break
		}
		var out []string
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, inG := g[k]
			if !inG {
				out = append(out, fmt.Sprintf("%s.%s (want %s, missing)", at, k, jsonText(w[k])))
				continue
			}
			out = append(out, JSONDiff(at+"."+k, w[k], gv)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			break
		}
		var out []string
		for i := range w {
			out = append(out, JSONDiff(fmt.Sprintf("%s[%d]", at, i), w[i], g[i])...)
		}
		return out
	}
	if reflect.DeepEqual(want, got) {
		return nil
	}
	if at == "" {
		at = "the top"
	}
	return []string{fmt.Sprintf("%s (want %s, got %s)", at, jsonText(want), jsonText(got))}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return shorten(string(b))
}

func listContainer(dir string) string {
	var names []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(first(names, 10), ", ")
}

func shorten(s string) string {
	s = strings.TrimRight(s, "\n")
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("(%d more)", len(s)-n))
	}
	return s
}

// nearest returns the texts of up to three items closest in time to
// [from, to], in time order.
func nearest[T any](items []T, from, to time.Time, at func(T) time.Time, text func(T) string) []string {
	dist := func(t time.Time) time.Duration {
		switch {
		case t.Before(from):
			return from.Sub(t)
		case t.After(to):
			return t.Sub(to)
		}
		return 0
	}
	sorted := slices.Clone(items)
	sort.SliceStable(sorted, func(i, j int) bool { return dist(at(sorted[i])) < dist(at(sorted[j])) })
	sorted = sorted[:min(3, len(sorted))]
	sort.SliceStable(sorted, func(i, j int) bool { return at(sorted[i]).Before(at(sorted[j])) })
	var out []string
	for _, it := range sorted {
		out = append(out, text(it))
	}
	return out
}

func taskText(t Task) string {
	return fmt.Sprintf("%s %s task %d", stamp(t.Time), abi.TaskKindName(t.Kind), t.ID)
}

func decisionText(d host.Decision) string {
	return fmt.Sprintf("%s %s: %s [%s]", stamp(d.Time), d.App, d.Reason, d.Rule)
}

func callText(c host.Call) string {
	return fmt.Sprintf("%s %s killed in %s: %s: %s", stamp(c.Time), c.App, c.EventName(), c.Termination, c.Crash)
}

// clock prints t to the precision p.
func clock(t time.Time, p time.Duration) string {
	if p >= time.Minute {
		return t.UTC().Format("15:04")
	}
	return t.UTC().Format("15:04:05")
}
