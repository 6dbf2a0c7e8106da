//go:build !wasip1

// Tests of the hello sample on the host, with package watchtest; the app
// itself is built for wasip1 by watchtest.New.
package main_test

import (
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/watchtest"
)

// TestLaunchCountSurvivesPurge: the launch count is kept in the data
// container, so a purge and a cold relaunch count on from it.
func TestLaunchCountSurvivesPurge(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".")
	app.Launch()
	app.ExpectState(abi.StateActive)
	app.Expect(`expect hello file launches "1\n"`)

	app.WristDown()
	app.Advance(5 * time.Minute) // frontmost timeout, then suspension
	app.ExpectState(abi.StateSuspended)
	app.Purge()
	app.ExpectState(abi.StateNotRunning)

	app.Launch()
	app.Expect(`expect hello file launches "2\n"`)
	if got := app.Host().Launches(); got != 2 {
		t.Errorf("%d cold launches, want 2", got)
	}
}

// TestNoBackgroundHandler: hello has no background task handler, so the
// system completes the snapshot it takes when the app leaves the
// foreground, rather than kill the app at the task's deadline.
func TestNoBackgroundHandler(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".")
	app.Launch()
	app.WristDown()
	app.Advance(time.Hour)
	app.Expect("expect hello task snapshot")
	app.ExpectDecision("task.unhandled")
	app.ExpectNoDecision("task.deadline")
	app.Expect("expect no kill")
}
