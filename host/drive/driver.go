package drive

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
)

// Driver applies actions to the apps of one runtime. It keeps the current
// app, the one actions that name none act on: the one last launched, raised
// to or opened by a tap. It is safe for concurrent use (a live run's control
// endpoint applies actions while its steps run).
type Driver struct {
	rt      *host.Runtime
	opts    Options
	entries []entry // in the order added

	mu  sync.Mutex
	cur *host.App
}

type entry struct {
	app   *host.App
	dir   string // bundle directory as given, or ""
	alias string // scenario alias, or ""
}

// Options configure a Driver.
type Options struct {
	// Virtual makes Sleep run the runtime's virtual clock (Runtime.RunFor)
	// instead of waiting on the real one.
	Virtual bool
	// Routes are the served routes Serve changes; nil refuses Serve.
	Routes *Routes
}

// New returns a Driver of rt's apps; add them with Add.
func New(rt *host.Runtime, opts Options) *Driver {
	return &Driver{rt: rt, opts: opts}
}

// Add makes app one the driver's actions can name: by its bundle id, the
// id's last part, its bundle directory dir (as given, or its base name) or
// alias (exactly). dir and alias may be "".
func (d *Driver) Add(app *host.App, dir, alias string) {
	d.entries = append(d.entries, entry{app, dir, alias})
}

// Apps returns the driver's apps, in the order added.
func (d *Driver) Apps() []*host.App {
	apps := make([]*host.App, len(d.entries))
	for i, e := range d.entries {
		apps[i] = e.app
	}
	return apps
}

// Current returns the app actions that name none act on, or nil.
func (d *Driver) Current() *host.App {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cur
}

// SetCurrent makes app the current app.
func (d *Driver) SetCurrent(app *host.App) {
	d.mu.Lock()
	d.cur = app
	d.mu.Unlock()
}

// Lookup finds the app that name names: its bundle id, a scenario alias,
// the bundle id's last dot-separated part (any case), or its bundle
// directory (as given, or its base name). No match, or several, is an
// error that lists the apps.
func (d *Driver) Lookup(name string) (*host.App, error) {
	for _, e := range d.entries {
		if e.app.ID() == name {
			return e.app, nil
		}
	}
	for _, e := range d.entries {
		if e.alias != "" && e.alias == name {
			return e.app, nil
		}
	}
	var found []*host.App
	for _, e := range d.entries {
		id, dir := e.app.ID(), e.dir
		if strings.EqualFold(id, name) || strings.EqualFold(id[strings.LastIndexByte(id, '.')+1:], name) ||
			dir != "" && (filepath.Clean(dir) == filepath.Clean(name) || filepath.Base(filepath.Clean(dir)) == name) {
			found = append(found, e.app)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("no app %q in this run; it runs %s", name, d.appList())
	}
	var ids []string
	for _, app := range found {
		ids = append(ids, app.ID())
	}
	return nil, fmt.Errorf("%q names several apps of this run (%s); give the bundle id", name, strings.Join(ids, ", "))
}

// appList lists the apps for messages: "dev.watchbox.weather
// (apps/weather), dev.watchbox.hello (apps/hello)".
func (d *Driver) appList() string {
	var s []string
	for _, e := range d.entries {
		s = append(s, fmt.Sprintf("%s (%s)", e.app.ID(), e.dir))
	}
	return strings.Join(s, ", ")
}

// Check looks up the apps that actions name before any is applied, and
// replaces each name with the app's bundle id. With only non-nil, every
// action must act on that app: actions that name none are given it.
func (d *Driver) Check(actions []Action, only *host.App) error {
	for i, a := range actions {
		if a.App == "" {
			if only != nil && a.Kind.ActsOnApp() {
				actions[i].App = only.ID()
			}
			continue
		}
		app, err := d.Lookup(a.App)
		if err != nil {
			return err
		}
		if only != nil && app != only {
			return fmt.Errorf("step %q names %s, but the request is for %s", string(a.Kind)+" "+a.App, app.ID(), only.ID())
		}
		actions[i].App = app.ID()
	}
	return nil
}

// Resolve returns the app a acts on: the app it names, else (for a Push)
// the push's Simulator Target Bundle, else the current app. It returns nil
// for actions that act on no app, for Status and Why that name none (they
// cover every app), and when there is no current app.
func (d *Driver) Resolve(a Action) (*host.App, error) {
	switch {
	case !a.Kind.ActsOnApp():
		return nil, nil
	case a.App != "":
		return d.Lookup(a.App)
	case a.Kind == Status || a.Kind == Why:
		return nil, nil
	case a.Kind == Push && a.Push != nil && a.Push.Target != "":
		// A bundle id, exactly, as simctl wants it.
		app, err := d.Lookup(a.Push.Target)
		switch {
		case err != nil:
			return nil, fmt.Errorf("the push targets %s (Simulator Target Bundle): %w", a.Push.Target, err)
		case app.ID() != a.Push.Target:
			return nil, fmt.Errorf("the push targets %s (Simulator Target Bundle), which is not the bundle id of an app of this run; did you mean %s?", a.Push.Target, app.ID())
		}
		return app, nil
	}
	return d.Current(), nil
}

// Result is what applying an action did.
type Result struct {
	// Action is the action applied.
	Action Action
	// App is the app it acted on; nil for none (and for Status and Why of
	// every app).
	App *host.App
	// Failure is a guest failure during the action: a crash or a failed
	// handler, whose call was reported to Config.OnCall. It is not an
	// error of the action: the system did what was asked.
	Failure error
	// Decisions are the decisions the system made about App while the
	// action ran: what it scheduled, delayed, dropped or refused.
	Decisions []host.Decision
	// Why holds Why's answer: every decision about the app, or about every
	// app in time order.
	Why []host.Decision
	// Status holds Status's answer, one entry per app.
	Status []AppStatus
}

// AppStatus is what Status reports of an app.
type AppStatus struct {
	App          *host.App  // the app
	ID           string     // bundle id
	State        abi.State  // life-cycle state
	Launches     uint64     // cold launches
	Crashes      int        // instances that died in a call
	LastCrash    *host.Call // the last call the app crashed in, or nil
	Complication []byte     // the complication data last published, or nil
	// Sessions describe the app's background sessions, one line each
	// (a workout's state and live data, location updates, audio).
	Sessions []string
	// Version is the running module's number (1 as loaded, one more per
	// hot reload), Hash its short content hash, Reloads the reloads done.
	Version int
	Hash    string
	Reloads int
	// Connections are the app's connections to simulated Bluetooth
	// peripherals, with their subscriptions.
	Connections []host.Connection
	// Current is set on the current app when the driver has several.
	Current bool
}

// NoTaskError is Expire's error when the app has no open background task.
// It wraps host.ErrNoOpenTask.
type NoTaskError struct {
	App string // bundle id
}

// Error says which app had nothing to expire.
func (e *NoTaskError) Error() string {
	return e.App + " has no open background task to expire (trigger one first)"
}

// Unwrap returns host.ErrNoOpenTask.
func (e *NoTaskError) Unwrap() error { return host.ErrNoOpenTask }

// Apply applies a to its app (see Resolve). The error says why the action
// could not be carried out (an unknown app, a bad argument, a refusal of
// the runtime, an interrupted Sleep, *NoTaskError); a guest that crashed or
// failed during the action is Result.Failure, not an error. Quit does
// nothing; the caller stops.
func (d *Driver) Apply(ctx context.Context, a Action) (Result, error) {
	res := Result{Action: a}
	app, err := d.Resolve(a)
	if err != nil {
		return res, err
	}
	res.App = app
	if app == nil && a.Kind.ActsOnApp() && a.Kind != Status && a.Kind != Why {
		return res, nil // no current app yet: a wrist-down before any launch
	}
	seen := 0
	if app != nil && a.Kind != Why && a.Kind != Status {
		seen = len(app.Why())
	}
	err = d.apply(ctx, a, app, &res)
	if app != nil && a.Kind != Why && a.Kind != Status {
		if ds := app.Why(); len(ds) > seen {
			res.Decisions = ds[seen:]
		}
	}
	if err != nil && host.IsGuestFailure(err) {
		res.Failure, err = err, nil
	}
	return res, err
}

func (d *Driver) apply(ctx context.Context, a Action, app *host.App, res *Result) error {
	switch a.Kind {
	case WristUp:
		if a.App == "" {
			app = d.sessionApp(app)
		}
		d.SetCurrent(app)
		return app.Launch(ctx)
	case Launch, Open:
		d.SetCurrent(app)
		return app.Launch(ctx)
	case WristDown:
		return app.WristDown(ctx)
	case Background:
		return app.EnterBackground(ctx)
	case Suspend:
		return app.Suspend(ctx)
	case Purge:
		return app.Purge(ctx)
	case Trigger:
		if a.Task == 0 {
			return errors.New("trigger needs a task kind")
		}
		t := host.ForcedTask{Kind: a.Task, Reason: a.Reason, Session: a.Session}
		if a.Peripheral != "" {
			t.UserInfo = []byte(a.Peripheral)
		}
		return app.Tasks().Force(ctx, t)
	case Expire:
		err := app.Tasks().Expire(ctx, a.Task)
		if errors.Is(err, host.ErrNoOpenTask) {
			return &NoTaskError{app.ID()}
		}
		return err
	case Push:
		if a.Push == nil {
			return errors.New("push needs a push")
		}
		return app.Notifications().Push(ctx, a.Push)
	case Phone:
		if err := CheckPayload(a.Payload); err != nil {
			return err
		}
		return app.Phone().Deliver(ctx, phoneData(a.Phone), a.Payload)
	case BluetoothAlert:
		return app.Bluetooth().Alert(ctx, a.Peripheral)
	case Peripheral:
		return d.peripheral(ctx, a)
	case Intent:
		return app.Tasks().Trigger(ctx, abi.TaskIntentDidRun, a.Payload)
	case RelevantShortcut:
		return app.Tasks().Trigger(ctx, abi.TaskRelevantShortcut, nil)
	case TapNotification:
		err := app.Notifications().Tap(ctx, a.Notification, a.Choice)
		if err == nil || host.IsGuestFailure(err) {
			d.SetCurrent(app) // the tap opened it
		}
		return err
	case Complication:
		app.Complication().SetActive(a.On)
	case Crown:
		return app.Sessions().PressCrown(ctx)
	case FireAlarm:
		return app.Sessions().FireAlarm(ctx)
	case SuppressSession:
		return app.Sessions().Suppress(ctx)
	case BAR:
		app.Sessions().SetBackgroundAppRefresh(a.On)
	case Serve:
		if d.opts.Routes == nil || a.Route == nil {
			return errors.New("serve needs a route and a simulation's HTTP test server")
		}
		d.opts.Routes.Set(*a.Route)
	case Set:
		k, v, _ := strings.Cut(a.Setting, "=")
		return d.rt.Set(k, v)
	case Note, Quit:
	case Sleep:
		if d.opts.Virtual {
			return d.rt.RunFor(ctx, a.Duration)
		}
		select {
		case <-time.After(a.Duration):
		case <-ctx.Done():
			return ctx.Err()
		}
	case BothButtons:
		return app.Sessions().PressBothButtons(ctx)
	case OtherWorkout:
		return app.Sessions().OtherAppStartsWorkout(ctx)
	case Motion:
		return app.Sessions().WorkoutMotion(ctx, a.On)
	case Lap:
		return app.Sessions().GenerateWorkoutEvent(ctx, abi.WorkoutEventLap)
	case Marker:
		return app.Sessions().GenerateWorkoutEvent(ctx, abi.WorkoutEventMarker)
	case Segment:
		return app.Sessions().GenerateWorkoutEvent(ctx, abi.WorkoutEventSegment)
	case HeartRate:
		if a.Series != nil {
			app.Sessions().FeedSource(a.Series, a.File)
			return nil
		}
		return app.Sessions().FeedHeartRate(a.File)
	case Route:
		if a.Track != nil {
			return app.Sessions().FeedTrack(a.Track)
		}
		return app.Sessions().FeedRoute(a.File)
	case Headphones:
		return d.rt.SetHeadphones(ctx, a.On)
	case PhoneLink:
		if a.Link == "paired" {
			return d.rt.SetPhonePaired(ctx, a.On)
		}
		return d.rt.SetPhoneInRange(ctx, a.On)
	case AudioInterruption:
		return app.Sessions().AudioInterruption(ctx, a.On)
	case Status:
		res.Status = d.Status(app)
	case Why:
		if app != nil {
			res.Why = app.Why()
			break
		}
		for _, e := range d.entries {
			res.Why = append(res.Why, e.app.Why()...)
		}
		sort.SliceStable(res.Why, func(i, j int) bool { return res.Why[i].Time.Before(res.Why[j].Time) })
	default:
		return fmt.Errorf("unknown action %q", a.Kind)
	}
	return nil
}

// sessionApp returns the app a wrist raise shows when it names none: cur,
// unless cur is not frontmost and another app has a background session
// (a workout), which watchOS shows on a wrist raise.
func (d *Driver) sessionApp(cur *host.App) *host.App {
	if cur != nil {
		if s := cur.State(); s == abi.StateActive || s == abi.StateInactive {
			return cur
		}
		if cur.Sessions().Active() {
			return cur
		}
	}
	for _, e := range d.entries {
		if e.app.Sessions().Active() {
			return e.app
		}
	}
	return cur
}

// Status returns the status of app, or of every app when app is nil.
func (d *Driver) Status(app *host.App) []AppStatus {
	apps := d.Apps()
	several := len(apps) > 1
	if app != nil {
		apps = []*host.App{app}
	}
	cur := d.Current()
	sts := make([]AppStatus, len(apps))
	for i, a := range apps {
		sts[i] = AppStatus{App: a, ID: a.ID(), State: a.State(), Launches: a.Launches(), Crashes: a.Crashes().Count(), LastCrash: a.Crashes().Last(),
			Complication: a.Complication().Data(), Sessions: a.Sessions().Status(), Connections: a.Bluetooth().Connections(), Current: several && a == cur}
		sts[i].Version, sts[i].Hash, sts[i].Reloads = a.Dev().Version()
	}
	return sts
}

// phoneData is the runtime's form of a phone data kind.
func phoneData(k abi.PhoneKind) host.PhoneData {
	switch k {
	case abi.PhoneContext:
		return host.PhoneContext
	case abi.PhoneMessage:
		return host.PhoneMessage
	case abi.PhoneComplication:
		return host.PhoneComplication
	}
	return host.PhoneUserInfo
}

// Message returns err's text for a user: without the "host: " prefix of
// the runtime's errors, since the user talks to watchbox, not to its
// packages.
func Message(err error) string { return strings.TrimPrefix(err.Error(), "host: ") }

// peripheral applies a Peripheral action to the runtime's simulated
// peripherals.
func (d *Driver) peripheral(ctx context.Context, a Action) error {
	if !a.On {
		return d.rt.RemovePeripheral(ctx, a.Peripheral)
	}
	service, char, err := host.ParseCharacteristic(a.Characteristic)
	if err != nil {
		return err
	}
	v := host.PeripheralValue{Bytes: a.Value, Series: a.Samples}
	if v.Series == nil && a.File != "" {
		if v.Series, err = host.ReadSamples(a.File); err != nil {
			return err
		}
	}
	return d.rt.DeclarePeripheral(ctx, a.Peripheral, service, char, v)
}
