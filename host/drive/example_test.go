package drive_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/drive"
)

// Actions parse from the steps `watchbox run` takes; apps are looked up
// when they are checked against a driver's apps.
func ExampleParseSteps() {
	steps, err := drive.ParseSteps("launch hello, wrist-down; trigger hello snapshot prelaunch\nwait 2m, expire")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range steps {
		fmt.Println(a)
	}
	_, err = drive.ParseSteps("trigger refresh")
	fmt.Println(err)
	// Output:
	// launch hello
	// wrist-down
	// trigger hello snapshot prelaunch
	// sleep 2m0s
	// expire
	// step "trigger refresh" needs a task kind, after the app if any: application-refresh, snapshot, url-session, watch-connectivity, bluetooth-alert, intent-did-run, relevant-shortcut
}

// A Driver applies actions in process, here on the virtual clock, and says
// what each did: the app's state after it, and the system's decisions.
func Example() {
	ctx := context.Background()
	data, _ := os.MkdirTemp("", "drive-example-")
	defer os.RemoveAll(data)
	rt, err := host.New(ctx, host.Config{
		Virtual: true, Start: time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC), Seed: 1,
		CacheDir: filepath.Join(os.TempDir(), "watchbox-test-cache"), DataDir: data,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rt.Close(ctx)
	app, err := rt.Load(ctx, "../../apps/hello")
	if err != nil {
		fmt.Println(err)
		return
	}
	d := drive.New(rt, drive.Options{Virtual: true})
	d.Add(app, "apps/hello", "")
	steps, _ := drive.ParseSteps("launch hello, wrist-down, sleep 3m, trigger hello snapshot prelaunch, expire, status")
	if err := d.Check(steps, nil); err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range steps {
		res, err := d.Apply(ctx, a)
		switch {
		case err != nil:
			fmt.Printf("%s: %v\n", a, err)
		case a.Kind == drive.Status:
			for _, st := range res.Status {
				fmt.Printf("%s: %s, %d launch(es)\n", a, st.State, st.Launches)
			}
		default:
			fmt.Printf("%s: %s at %s\n", a, app.State(), rt.Now().Format("15:04"))
			for _, dec := range res.Decisions {
				fmt.Printf("  %s [%s]\n", dec.Verdict, dec.Rule)
			}
		}
	}
	// Output:
	// launch dev.watchbox.hello: active at 07:00
	// wrist-down: inactive at 07:00
	// sleep 3m0s: suspended at 07:03
	// trigger dev.watchbox.hello snapshot prelaunch: background at 07:03
	//   run [trigger]
	//   completed [task.unhandled]
	// expire: dev.watchbox.hello has no open background task to expire (trigger one first)
	// status: background, 1 launch(es)
}
