// Command refresh is a sample app for background refresh: whenever it
// leaves the foreground it asks for a background refresh 15 minutes later,
// and each refresh logs what it got, completes its task and asks for the
// next one. A content-available push also counts as a refresh. Run it through a simulated day to watch the budget at work:
//
//	watchbox simulate tests/scenarios/refresh.scenario
package main

import (
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

const every = 15 * time.Minute

type app struct{ refreshes int }

func (a *app) DidEnterBackground() { schedule("entered the background") }

func (a *app) HandleBackgroundTasks(tasks []*watch.Task) {
	refreshed := false
	for _, t := range tasks {
		if t.Kind == abi.TaskSnapshot {
			// The system's snapshot (e.g. on leaving the foreground):
			// nothing to redraw in this app.
			t.Complete(false)
			continue
		}
		a.refreshes++
		refreshed = true
		watch.Printf("%v task %d (refresh %d since launch)", t.Kind, t.ID, a.refreshes)
		if err := t.Complete(false); err != nil {
			watch.Warnf("cannot complete task %d: %v", t.ID, err)
		}
	}
	if refreshed {
		schedule("refreshed")
	}
}

func (a *app) TaskWillExpire(id int64) { watch.Warnf("task %d is about to expire", id) }

// DidReceiveRemoteNotification handles a content-available push: the server
// says there is new data, so refresh now.
func (a *app) DidReceiveRemoteNotification(n *watch.Notification) {
	a.refreshes++
	watch.Printf("background push %s (refresh %d since launch)", n.UserInfo, a.refreshes)
}

// schedule asks for the next refresh and logs when the system will run it.
func schedule(why string) {
	due, err := watch.ScheduleBackgroundRefresh(time.Now().Add(every), nil)
	switch {
	case err != nil:
		watch.Warnf("%s; cannot schedule a refresh: %v", why, err)
	case due.IsZero():
		watch.Printf("%s; the system will not run the refresh", why)
	default:
		watch.Printf("%s; next refresh at %s", why, due.UTC().Format("15:04:05"))
	}
}

func init() { watch.Register(&app{}) }

func main() {}
