package policy

import (
	"sort"
	"strings"
)

// Log is a decision log a caller may keep (Policy.Report = log.Append):
// every deferred, dropped, throttled, replaced or killed request (and every
// one that ran) with the rule and numbers that decided it. The zero value
// is an unbounded, empty log.
type Log struct {
	ds      []Decision
	limit   int
	dropped int
}

// NewLog returns an empty log that keeps at most limit decisions, forgetting
// the oldest first; limit 0 keeps them all.
func NewLog(limit int) *Log { return &Log{limit: limit} }

// Append adds d.
func (l *Log) Append(d Decision) {
	l.ds = append(l.ds, d)
	if l.limit > 0 && len(l.ds) > l.limit {
		n := len(l.ds) - l.limit
		l.ds = append(l.ds[:0], l.ds[n:]...)
		l.dropped += n
	}
}

// Len returns how many decisions the log holds.
func (l *Log) Len() int { return len(l.ds) }

// Forgotten returns how many decisions were forgotten to keep the limit.
func (l *Log) Forgotten() int { return l.dropped }

// All returns every decision held, in time order (decisions made at the
// same time keep the order they were made in).
func (l *Log) All() []Decision { return l.filter(func(Decision) bool { return true }) }

// Why answers "why didn't app's task run": app's decisions, only of the
// given kinds when any are given, in time order.
func (l *Log) Why(app string, kinds ...Kind) []Decision {
	return l.filter(func(d Decision) bool {
		if d.App != app {
			return false
		}
		if len(kinds) == 0 {
			return true
		}
		for _, k := range kinds {
			if d.Kind == k {
				return true
			}
		}
		return false
	})
}

func (l *Log) filter(keep func(Decision) bool) []Decision {
	var out []Decision
	if l == nil {
		return out
	}
	for _, d := range l.ds {
		if keep(d) {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// Line formats d as a timeline line: its UTC date, then [Decision.String]:
// "2024-06-01 09:40:00 com.example.weather: refresh delayed to 10:00: 4 of 4 this hour used [refresh.hourly_budget]".
func Line(d Decision) string {
	return d.Time.UTC().Format("2006-01-02 ") + d.String()
}

// Timeline formats ds as lines (see [Line]), one per decision, each ending
// in a newline.
func Timeline(ds []Decision) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(Line(d))
		b.WriteByte('\n')
	}
	return b.String()
}
