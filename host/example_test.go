package host_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/watchbox/watchbox/host"
)

// Example runs the hello sample app through its life cycle on the virtual
// clock: launch, wrist down, background, a purge, and a cold relaunch. The
// launch count, kept in the app's data container, survives the purge.
func Example() {
	ctx := context.Background()
	data, _ := os.MkdirTemp("", "watchbox-example-")
	defer os.RemoveAll(data)
	rt, err := host.New(ctx, host.Config{
		CacheDir: filepath.Join(os.TempDir(), "watchbox-test-cache"),
		DataDir:  data,
		Virtual:  true,
		Start:    time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC),
		OnCall: func(c host.Call) {
			fmt.Printf("%s %-22s %-9v -> %v\n", c.Time.Format("15:04:05"), c.EventName(), c.Status, c.State)
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rt.Close(ctx)
	app, err := rt.Load(ctx, "../apps/hello")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, step := range []func(context.Context) error{app.Launch, app.WristDown, app.EnterBackground, app.Suspend, app.Purge, app.Launch} {
		if err := step(ctx); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(app.ID(), "launches:", app.Launches(), "state:", app.State())
	// The deferred Close gives the app its leaving calls.

	// Output:
	// 07:00:00 did_finish_launching   ok        -> inactive
	// 07:00:00 will_enter_foreground  ok        -> inactive
	// 07:00:00 did_become_active      ok        -> active
	// 07:00:00 will_resign_active     ok        -> inactive
	// 07:00:00 did_enter_background   ok        -> background
	// 07:00:00 background_tasks       unhandled -> background
	// 07:00:00 did_finish_launching   ok        -> inactive
	// 07:00:00 will_enter_foreground  ok        -> inactive
	// 07:00:00 did_become_active      ok        -> active
	// dev.watchbox.hello launches: 2 state: active
	// 07:00:00 will_resign_active     ok        -> inactive
	// 07:00:00 did_enter_background   ok        -> background
}
