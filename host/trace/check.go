package trace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// Parse reads a trace in the JSON array form, with or without its closing
// bracket (a run that crashed leaves none).
func Parse(data []byte) ([]Event, error) {
	trimmed := bytes.TrimSpace(data)
	if !bytes.HasSuffix(trimmed, []byte("]")) {
		// A new slice: appending to the trimmed one would write the
		// bracket into the caller's data.
		trimmed = slices.Concat(bytes.TrimRight(trimmed, ",\n\t "), []byte("]"))
	}
	var events []Event
	if err := json.Unmarshal(trimmed, &events); err != nil {
		return nil, fmt.Errorf("trace: not a JSON array of events: %w", err)
	}
	return events, nil
}

// Check reports the first way events break the rules viewers rely on:
// every process is named; complete spans on one thread nest (never
// overlap partly); every async begin has one end with the same
// process, category and id, and no end comes without a begin.
func Check(events []Event) error {
	named := map[int]bool{}
	for _, e := range events {
		if e.Ph == "M" && e.Name == "process_name" {
			named[e.PID] = true
		}
	}
	type track struct{ pid, tid int }
	spans := map[track][]Event{}
	open := map[string]int{}
	for i, e := range events {
		if e.Ph != "M" && !named[e.PID] {
			return fmt.Errorf("event %d (%s) is in process %d, which has no process_name", i, e.Name, e.PID)
		}
		switch e.Ph {
		case "X":
			if e.Dur == nil || *e.Dur < 0 {
				return fmt.Errorf("event %d (%s): a complete span needs a duration of 0 or more", i, e.Name)
			}
			k := track{e.PID, e.TID}
			spans[k] = append(spans[k], e)
		case "b":
			open[asyncKey(e)]++
		case "e":
			k := asyncKey(e)
			if open[k] == 0 {
				return fmt.Errorf("event %d (%s): async end %s without a begin", i, e.Name, k)
			}
			open[k]--
		}
	}
	for k, ss := range spans {
		sort.SliceStable(ss, func(i, j int) bool {
			if ss[i].TS != ss[j].TS {
				return ss[i].TS < ss[j].TS
			}
			return *ss[i].Dur > *ss[j].Dur // the outer span first
		})
		var stack []float64 // end times of the open spans
		for _, s := range ss {
			for len(stack) > 0 && stack[len(stack)-1] <= s.TS+slack {
				stack = stack[:len(stack)-1]
			}
			end := s.TS + *s.Dur
			if len(stack) > 0 && end > stack[len(stack)-1]+slack {
				return fmt.Errorf("span %q at %.3f us on process %d thread %d overlaps the span around it", s.Name, s.TS, k.pid, k.tid)
			}
			stack = append(stack, end)
		}
	}
	return nil
}

// slack is how far apart two times in microseconds may be and still be
// the same nanosecond: a start plus a duration, each a nanosecond count
// divided by 1000, is not always exactly the end the next span starts at.
const slack = 0.0005

func asyncKey(e Event) string { return fmt.Sprintf("%d/%s/%s", e.PID, e.Cat, e.ID) }
