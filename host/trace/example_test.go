package trace_test

import (
	"os"
	"time"

	"github.com/watchbox/watchbox/host/trace"
)

func Example() {
	start := time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)
	w := trace.New(os.Stdout, start)
	w.Span("dev.watchbox.hello", "did_finish_launching", "call", start, 300*time.Microsecond, map[string]any{"fuel": 39176})
	w.Instant("dev.watchbox.hello", "refresh.scheduled", "decision", start.Add(time.Minute), map[string]any{"used": 0, "limit": 4})
	w.Close()
	// Output:
	// [
	// {"name":"process_name","ph":"M","ts":0,"pid":1,"tid":0,"args":{"name":"dev.watchbox.hello"}},
	// {"name":"process_sort_index","ph":"M","ts":0,"pid":1,"tid":0,"args":{"sort_index":1}},
	// {"name":"thread_name","ph":"M","ts":0,"pid":1,"tid":1,"args":{"name":"calls"}},
	// {"name":"thread_sort_index","ph":"M","ts":0,"pid":1,"tid":1,"args":{"sort_index":1}},
	// {"name":"thread_name","ph":"M","ts":0,"pid":1,"tid":2,"args":{"name":"life cycle"}},
	// {"name":"thread_sort_index","ph":"M","ts":0,"pid":1,"tid":2,"args":{"sort_index":2}},
	// {"name":"did_finish_launching","cat":"call","ph":"X","ts":0,"dur":300,"pid":1,"tid":1,"args":{"fuel":39176}},
	// {"name":"refresh.scheduled","cat":"decision","ph":"i","ts":60000000,"pid":1,"tid":1,"s":"p","args":{"limit":4,"used":0}}
	// ]
}
