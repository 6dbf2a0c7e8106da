package drive_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/scenario"
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

// A scenario's expect lines are checked against the run after Play:
// Check gives each one's outcome, what was expected and what happened.
func ExampleSimulation_Check() {
	ctx := context.Background()
	data, _ := os.MkdirTemp("", "drive-example-")
	defer os.RemoveAll(data)
	src := `start 2026-06-01T07:00:00Z
duration 1h
app hello ../../apps/hello
at 07:00 launch hello
at +1m   wrist-down
expect no kill
at 07:03 expect hello task snapshot
at 07:10 expect hello state active
expect hello file launches "1\n"
`
	sc, err := scenario.Parse("hello.scenario", []byte(src), scenario.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	prof, _ := sc.DeviceProfile()
	sim, err := drive.Simulate(ctx, sc, prof, drive.SimOptions{
		CacheDir: filepath.Join(os.TempDir(), "watchbox-test-cache"), DataDir: data})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	if err := sim.Play(ctx); err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range sim.Check() {
		fmt.Printf("line %d %v: %s\n", o.Expect.Line, o.Pass, o.Expect.Text)
		if !o.Pass {
			fmt.Printf("  want: %s\n  got:  %s\n", o.Want, o.Got)
		}
	}
	// Output:
	// line 6 true: expect no kill
	// line 7 true: at 07:03 expect hello task snapshot
	// line 8 false: at 07:10 expect hello state active
	//   want: dev.watchbox.hello active at 07:10:59.999 (the end of 07:10)
	//   got:  suspended; changes nearby: 07:00:00.004 inactive, 07:00:00.004 active, 07:01:00.000 inactive, 07:03:00.000 background, 07:03:10.000 suspended, 08:00:00.000 background
	// line 9 true: expect hello file launches "1\n"
}
