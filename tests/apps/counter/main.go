// Command counter is the hot-reload test app. It counts, in memory, how
// many times it became active, and carries the count across a reload
// (`watchbox dev`) with SaveState and RestoreState. Leaving the foreground
// asks for a background refresh 15 minutes later, which a swap must keep.
// The reload tests edit version and build the copy.
package main

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

// version is what the reload tests edit.
const version = "v1"

// schema is the version of the saved state's format.
const schema = "counter/1"

type app struct{ opens int }

func (a *app) DidFinishLaunching() { watch.Printf("%s launched", version) }

func (a *app) DidBecomeActive() {
	a.opens++
	watch.Printf("%s active, opens %d", version, a.opens)
}

func (a *app) DidEnterBackground() {
	if _, err := watch.ScheduleBackgroundRefresh(time.Now().Add(15*time.Minute), nil); err != nil {
		watch.Warnf("%s cannot schedule a refresh: %v", version, err)
	}
}

func (a *app) HandleBackgroundTasks(tasks []*watch.Task) {
	for _, t := range tasks {
		watch.Printf("%s %v task, opens %d", version, t.Kind, a.opens)
		t.Complete(false)
	}
}

// SaveState carries the count to the next version.
func (a *app) SaveState() ([]byte, error) {
	return []byte(schema + " " + strconv.Itoa(a.opens)), nil
}

// RestoreState takes up the count the previous version saved, or refuses
// a state of another schema.
func (a *app) RestoreState(b []byte) error {
	s, n, ok := strings.Cut(string(b), " ")
	if !ok || s != schema {
		return errors.New("unknown state schema " + strconv.Quote(s))
	}
	opens, err := strconv.Atoi(n)
	if err != nil {
		return err
	}
	a.opens = opens
	watch.Printf("%s restored, opens %d", version, a.opens)
	return nil
}

var (
	_ watch.Launcher              = (*app)(nil)
	_ watch.Activator             = (*app)(nil)
	_ watch.Backgrounder          = (*app)(nil)
	_ watch.BackgroundTaskHandler = (*app)(nil)
	_ watch.StateSaver            = (*app)(nil)
	_ watch.StateRestorer         = (*app)(nil)
)

func init() { watch.Register(&app{}) }

func main() {}
