package drive

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
)

// TestTimelineShowsWhereAPanicHappened: a failed call shows the first
// frame in the app's code; SetVerbose adds the whole stack, indented.
func TestTimelineShowsWhereAPanicHappened(t *testing.T) {
	t.Parallel()
	c := host.Call{App: "dev.example.app", Time: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), Event: abi.EventDidBecomeActive,
		Status: abi.StatusError, Message: "panic in did_become_active handler: boom", Where: "/src/app/main.go:12",
		Stack: "goroutine 1 [running]:\nmain.f()\n\t/src/app/main.go:12 +0x1\n"}
	for _, verbose := range []bool{false, true} {
		var b bytes.Buffer
		tl := NewTimeline(&b, false)
		tl.SetVerbose(verbose)
		tl.Call(c)
		out := b.String()
		if !strings.Contains(out, "panic in did_become_active handler: boom (at /src/app/main.go:12)\n") {
			t.Errorf("verbose %v: the call line does not say where:\n%s", verbose, out)
		}
		if got := strings.Contains(out, "    goroutine 1 [running]:\n    main.f()\n    \t/src/app/main.go:12 +0x1\n"); got != verbose {
			t.Errorf("verbose %v: stack printed %v:\n%s", verbose, got, out)
		}
	}
}
