package host

import (
	"context"
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
			if err := a.Trigger(ctx, abi.TaskApplicationRefresh, []byte("forced")); err == nil {
				t.Error("the forced task did not crash the app")
			}
		}, []string{`2 application_refresh "forced"`}}, // task 1: the app_backgrounded snapshot
		{"forced task cold-launches a purged app and crashes it", []string{"Tasks exit"}, func(t *testing.T, h *harness, a *App) {
			ctx := context.Background()
			must(t, a.Launch(ctx))
			must(t, a.Purge(ctx))
			if err := a.Trigger(ctx, abi.TaskApplicationRefresh, []byte("forced")); err == nil {
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
			if a.Crashes() != 1 || a.State() != abi.StateNotRunning {
				t.Fatalf("after the task: crashes %d, state %v; want 1, not running", a.Crashes(), a.State())
			}
			setMode(t, a, "Tasks complete")
			must(t, h.rt.RunFor(ctx, 10*time.Minute)) // anything the system would redeliver in the background
			must(t, a.Launch(ctx))
			must(t, h.rt.RunFor(ctx, 10*time.Minute))
			equal(t, "tasks delivered", tasksDelivered(h), c.want)
			if a.Crashes() != 1 {
				t.Errorf("crashes = %d, want 1", a.Crashes())
			}
			dropped := decisionsWith(*ds, "task.not_redelivered")
			if len(dropped) != 1 || !strings.Contains(dropped[0], "application_refresh task") {
				t.Errorf("not_redelivered decisions = %q", dropped)
			}
		})
	}
}
