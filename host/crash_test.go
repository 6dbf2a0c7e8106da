package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
)

// tasksDelivered returns the background tasks the chaos app logged, as
// "ID KIND INFO" without the time, system snapshots left out.
func tasksDelivered(h *harness) []string {
	var out []string
	for _, l := range h.guestLines("chaos: task ") {
		if strings.Contains(l, " will expire ") {
			continue
		}
		f := strings.Fields(l)
		out = append(out, strings.Join(f[2:len(f)-2], " "))
	}
	return out
}

// TestCrashedTaskIsNotDeliveredAgain: watchOS does not deliver a task again
// whose app crashed while handling it; the next launch (background or
// foreground) starts without it, and no other task is duplicated. Each
// case crashes the app in a task, then opens it; the crashed task must
// have been delivered once, and a decision names the task dropped with
// the instance (issue 9, item 12).
func TestCrashedTaskIsNotDeliveredAgain(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		mode []string
		run  func(t *testing.T, h *harness, a *App)
		want []string
	}{
		{"forced task crashes a running app", []string{"Tasks exit"}, func(t *testing.T, h *harness, a *App) {
			ctx := context.Background()
			must(t, a.Launch(ctx))
			must(t, a.EnterBackground(ctx))
			if err := a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, []byte("forced")); err == nil {
				t.Error("the forced task did not crash the app")
			}
		}, []string{`2 application_refresh "forced"`}}, // task 1: the app_backgrounded snapshot
		{"forced task cold-launches a purged app and crashes it", []string{"Tasks exit"}, func(t *testing.T, h *harness, a *App) {
			ctx := context.Background()
			must(t, a.Launch(ctx))
			must(t, a.Purge(ctx))
			if err := a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, []byte("forced")); err == nil {
				t.Error("the forced task did not crash the app")
			}
		}, []string{`1 application_refresh "forced"`}},
		{"scheduled refresh crashes the app", []string{"DidFinishLaunching schedule 30m", "Tasks exit"}, func(t *testing.T, h *harness, a *App) {
			ctx := context.Background()
			must(t, a.Launch(ctx))
			must(t, a.EnterBackground(ctx))
			setMode(t, a, "Tasks exit") // the relaunch schedules nothing new
			must(t, h.rt.RunFor(ctx, 45*time.Minute))
		}, []string{`2 application_refresh "refresh-info"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			h, a, ds := virtualChaos(t, c.mode...)
			c.run(t, h, a)
			if a.Crashes().Count() != 1 || a.State() != abi.StateNotRunning {
				t.Fatalf("after the task: crashes %d, state %v; want 1, not running", a.Crashes().Count(), a.State())
			}
			setMode(t, a, "Tasks complete")
			must(t, h.rt.RunFor(ctx, 10*time.Minute)) // anything the system would redeliver in the background
			must(t, a.Launch(ctx))
			must(t, h.rt.RunFor(ctx, 10*time.Minute))
			equal(t, "tasks delivered", tasksDelivered(h), c.want)
			if a.Crashes().Count() != 1 {
				t.Errorf("crashes = %d, want 1", a.Crashes().Count())
			}
			dropped := decisionsWith(*ds, "task.not_redelivered")
			if len(dropped) != 1 || !strings.Contains(dropped[0], "application_refresh task") {
				t.Errorf("not_redelivered decisions = %q", dropped)
			}
		})
	}
}

// TestGoFatalErrorsAreNamed: a Go guest's fatal runtime errors end in a
// trap, but the runtime says why on stderr; the crash is named after it,
// says what to do, points at the app's own line, and keeps the report in
// the crash record instead of logging it line by line (issue 14, item 2).
func TestGoFatalErrorsAreNamed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		action string
		term   Termination
		reason []string
	}{
		{"oom", TerminationOutOfMemory, []string{"runtime: out of memory", "memoryLimit=32MiB", "raise memoryLimit"}},
		{"recurse", TerminationStackOverflow, []string{"recursion", "memoryLimit=32MiB"}},
		{"deadlock", TerminationDeadlock, []string{"all goroutines are asleep", "a handler must return"}},
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1})
			// The guest's runtime must reach its fatal error before the
			// wall clock: a loaded machine can take longer than the
			// profile's 5 s to fill 32 MiB, and this test is about the
			// report, not the deadline.
			must(t, h.rt.Set("lifecycle_time", "2m"))
			a := chaos(t, h, "DidBecomeActive "+c.action)
			err := a.Launch(context.Background())
			var ce *CrashError
			if !errors.As(err, &ce) {
				t.Fatalf("Launch error = %v, want a CrashError", err)
			}
			if ce.Termination != c.term {
				t.Errorf("termination = %s, want %s (%v)", ce.Termination, c.term, err)
			}
			for _, w := range c.reason {
				if !strings.Contains(ce.Reason, w) {
					t.Errorf("reason %q does not say %q", ce.Reason, w)
				}
			}
			if !strings.HasSuffix(ce.Where, filepath.Join("chaos", "main.go")+":"+lineOf(t, c.action)) {
				t.Errorf("where = %q, want the app's line of %q", ce.Where, c.action)
			}
			last := a.Crashes().Last()
			if last == nil || last.Termination != c.term || !strings.Contains(last.Stack, "goroutine") || last.Where != ce.Where {
				t.Fatalf("last crash = %+v, want the runtime's report", last)
			}
			for _, l := range strings.Split(h.logs.String(), "\n") {
				if strings.Contains(l, `"source":"stderr"`) && strings.Contains(l, `"level":"info"`) {
					t.Fatalf("a line of the fatal report was logged at info: %s", l)
				}
			}
		})
	}
}

// lineOf returns the line number, in the chaos app, of the statement that
// does action (for recursion, the function whose prologue grows the
// stack).
func lineOf(t *testing.T, action string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(chaosDir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"oom": "hoard = append(hoard", "recurse": "func recurse(", "deadlock": "<-never"}[action]
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, want) {
			return strconv.Itoa(i + 1)
		}
	}
	t.Fatalf("no %q in the chaos app", want)
	return ""
}
