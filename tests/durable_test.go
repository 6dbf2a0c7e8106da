package tests

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chaosMode is what the chaos app does in TestSIGKILLKeepsTheSchedules: on
// becoming active it asks for a background refresh in 2 s and schedules
// two notifications (3 s and an hour away).
const chaosMode = `DidBecomeActive schedule 2s
DidBecomeActive notify soon 3s
DidBecomeActive notify later 1h
Tasks complete
`

// TestSIGKILLKeepsTheSchedules kills a live `watchbox run --stay` with
// SIGKILL at a point its seed picks (after 0 to 4 more calls once the app
// has scheduled its work), starts it again with the same data directory,
// and checks that every schedule is there: the refresh and the 3 s
// notification are delivered exactly once across both runs (late, by the
// restarted host, when their time passed while it was down), and the
// restarted host restored the one an hour away.
func TestSIGKILLKeepsTheSchedules(t *testing.T) {
	t.Parallel()
	// Seeds picked so that the kill points cover 0, 1, 3 and 4 more calls:
	// before the background step, in it, after the system's snapshot, and
	// after the refresh ran.
	for _, seed := range []int64{1, 3, 4, 11} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			more := rand.New(rand.NewSource(seed)).Intn(5)
			data := t.TempDir()
			writeFile(t, filepath.Join(data, "containers", "dev.watchbox.test.chaos"), "mode", []byte(chaosMode))
			args := []string{"run", "--json", "--stay", "--control", "off", "--data", data, "--steps", "background", "tests/apps/chaos"}

			first := start(t, args...)
			first.waitFor(`"event":"did_become_active"`, 3*time.Minute)
			first.waitForCount(`"event":`, 3+more, time.Minute)
			if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-first.done
			r1 := first.result()
			t.Logf("killed after %d more calls", more)

			second := start(t, args...)
			// Both deliveries, whichever run made them, and the restore.
			second.waitFor(`"event":"did_become_active"`, time.Minute)
			wait := func(what string) {
				for n := 0; countIn(r1.stderr, what)+countIn(second.result().stderr, what) == 0; n++ {
					second.waitForChange(time.Minute, what)
				}
			}
			wait(`application_refresh \"refresh-info\"`)
			wait(`notification soon presented`)
			r2 := second.signalAndWait(syscall.SIGTERM, 30*time.Second, "clean shutdown of the restarted run")

			for _, what := range []string{`application_refresh \"refresh-info\"`, `notification soon presented`} {
				if n := countIn(r1.stderr, what) + countIn(r2.stderr, what); n != 1 {
					t.Errorf("%s: %d times across both runs, want exactly once\n--- first run:\n%s\n--- second run:\n%s", what, n, r1, r2)
				}
			}
			restored := decisionLines(r2.stderr, "state.restored")
			if len(restored) != 1 || !strings.Contains(restored[0], "notification later at") {
				t.Errorf("state.restored decisions of the second run = %q, want one that lists the notification an hour away\n%s", restored, r2)
			}
			// The clean shutdown saved it again: a third start would have it.
			b, err := os.ReadFile(filepath.Join(data, "state", "dev.watchbox.test.chaos.state"))
			if err != nil || !strings.Contains(string(b), `"id":"later"`) {
				t.Errorf("state file after the clean shutdown: %v\n%s", err, b)
			}
		})
	}
}

// countIn counts the lines of out that have s.
func countIn(out, s string) int {
	n := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

// decisionLines returns the messages of the JSON log lines of out whose
// rule is rule.
func decisionLines(out, rule string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		var rec struct {
			Rule    string `json:"rule"`
			Message string `json:"message"`
		}
		if json.Unmarshal([]byte(l), &rec) == nil && rec.Rule == rule {
			got = append(got, rec.Message)
		}
	}
	return got
}

// waitForCount waits until stdout and stderr have n lines with s.
func (p *proc) waitForCount(s string, n int, timeout time.Duration) {
	p.t.Helper()
	for countIn(p.result().output(), s) < n {
		p.waitForChange(timeout, fmt.Sprintf("%d lines with %q", n, s))
	}
}

// waitForChange waits for new output, failing the test with what it waited
// for when the process ends or timeout passes first.
func (p *proc) waitForChange(timeout time.Duration, what string) {
	p.t.Helper()
	select {
	case <-p.changed:
	case <-p.done:
		p.t.Fatalf("watchbox ended while waiting for %s\n%s", what, p.result())
	case <-time.After(timeout):
		p.t.Fatalf("watchbox did not print %s within %v\n%s", what, timeout, p.result())
	}
}

// TestSecondRunOnTheSameData: while one `watchbox run --stay` holds a
// data directory's state, a second run on it still runs its steps, warns
// that it saves no state, and leaves the first run's state file alone;
// given the same --state explicitly, it is refused with what to do.
func TestSecondRunOnTheSameData(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	first := start(t, "run", "--json", "--stay", "--control", "off", "--data", data, "tests/apps/chaos")
	first.waitFor(`"event":"did_become_active"`, 3*time.Minute)

	r := watchbox(t, nil, "run", "--control", "off", "--data", data, "tests/apps/chaos")
	expect(t, r, exitOK, "is in use by another watchbox", "this run saves no state", "did_become_active")

	r = watchbox(t, nil, "run", "--control", "off", "--data", data, "--state", filepath.Join(data, "state"), "tests/apps/chaos")
	expect(t, r, exitError, "is in use by another watchbox", "--state")
	first.signalAndWait(syscall.SIGTERM, 30*time.Second, "clean shutdown of the first run")
}
