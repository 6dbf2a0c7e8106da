package fuzz

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/push"
	"github.com/watchbox/watchbox/host/sensors/gpx"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// An input is a byte string that a decoder turns into actions, one at a
// time, while the run goes on: each action is chosen among the moves that
// are valid in the app's state at that moment, so that every input is a
// sequence watchOS could produce (a wrist-down only of an active app, a
// suspension only of a running one, a purge only of a backgrounded or
// suspended one). Mutating bytes therefore never makes an invalid input,
// and inputs are kept and exchanged as Go's fuzzing corpus files (one
// []byte argument).

// Limits on what one input can make the host do.
const (
	// MaxActions is the most actions one input decodes to.
	MaxActions = 24
	// MaxInput is the longest input kept; mutations cut longer ones.
	MaxInput = 1024
	// settle is how long the clock runs after the last action, so that
	// task deadlines, suspensions and scheduled wakes happen in the run.
	settle = time.Hour
)

// Event kinds a user can select with Options.Events (--events).
const (
	EvLife         = "life"         // launch, wrist-down, background, suspend, purge
	EvTask         = "task"         // trigger a background task of each kind, expire tasks
	EvPush         = "push"         // alert, background and complication pushes
	EvNotification = "notification" // tap a delivered notification, with an action
	EvPhone        = "phone"        // WatchConnectivity data of each kind
	EvComplication = "complication" // the complication on or off the face
	EvSleep        = "sleep"        // let time pass
	// EvWorkout: both side buttons, the user's motion and another app
	// starting a workout (while the app's workout is active), and the
	// heart rate and route feeds the workout reads.
	EvWorkout = "workout"
	// EvExtended: the Digital Crown (while frontmost), the app's smart
	// alarm firing and the system suppressing its extended runtime
	// session (while it has one), and the Background App Refresh switch.
	EvExtended = "extended"
	// EvAudio: an interruption of the app's audio session (a call, while
	// it has one) and the headphones connecting or going.
	EvAudio = "audio"
	// EvBluetooth: a peripheral's timely alert, and simulated peripherals
	// coming in range with a value, or going.
	EvBluetooth = "bluetooth"
)

// EventKinds returns every kind Options.Events accepts.
func EventKinds() []string {
	return []string{EvLife, EvTask, EvPush, EvNotification, EvPhone, EvComplication, EvSleep,
		EvWorkout, EvExtended, EvAudio, EvBluetooth}
}

// view is what the decoder knows of the app when it decodes an action:
// the moves valid in its state, and in its sessions', are the only ones
// it makes.
type view struct {
	state    abi.State
	hasNote  bool
	workout  bool // a workout session not ended
	extended bool // an extended runtime session running, or a smart alarm scheduled
	audio    bool // an active audio session
}

// viewOf reads an app's view from its state and its open sessions.
func viewOf(st abi.State, open host.OpenSessions) view {
	return view{state: st, hasNote: true, workout: open.Workout, extended: open.Extended, audio: open.Audio}
}

// ParseEvents parses a comma-separated list of event kinds ("" or "all":
// every kind).
func ParseEvents(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return EventKinds(), nil
	}
	var out []string
	for _, w := range strings.Split(s, ",") {
		w = strings.TrimSpace(w)
		ok := false
		for _, k := range EventKinds() {
			if w == k {
				ok = true
			}
		}
		if !ok {
			return nil, fmt.Errorf("unknown event kind %q: want a comma-separated list of %s", w, strings.Join(EventKinds(), ", "))
		}
		out = append(out, w)
	}
	return out, nil
}

// bytesIn reads an input; past its end it reads zeros and done is true.
// It records, for each byte it read, how many choices the byte decided
// between (256 for a raw byte), so that mutations can change one decision
// to another valid one.
type bytesIn struct {
	b    []byte
	pos  int
	mods []uint16 // nil: not recorded
}

func (r *bytesIn) done() bool { return r.pos >= len(r.b) }

func (r *bytesIn) byte() byte {
	if r.mods != nil && r.pos < len(r.b) && r.mods[r.pos] == 0 {
		r.mods[r.pos] = 256
	}
	if r.pos >= len(r.b) {
		r.pos++
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *bytesIn) pick(n int) int {
	if r.mods != nil && r.pos < len(r.b) {
		r.mods[r.pos] = uint16(n)
	}
	return int(r.byte()) % n
}

// gaps are the waits before an action.
var gaps = []time.Duration{0, time.Second, 5 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 20 * time.Minute, time.Hour}

// keys, strs and numbers are a small dictionary for payloads: field names
// and values common in apps' messages, and interesting numbers.
var (
	keys    = []string{"id", "type", "level", "value", "message", "text", "count", "data"}
	strs    = []string{"", "a", "hello", "update", "refresh", "delete", "error", "null", "0", "\u00e9t\u00e9", "%s%n", "\x00"}
	numbers = []float64{0, 1, -1, 7, 13, 42, 100, 255, 256, 65535, 1e9, 0.5}
	actions = []string{"", "", "OPEN", "DISMISS", "REPLY", "SHOW", "DELETE", "x"}
)

// jsonValue decodes a JSON value of at most depth levels of nesting.
func jsonValue(r *bytesIn, depth int) any { return jsonValueOf(r, r.pick(3), depth) }

// jsonValueOf decodes a value of a kind: 0 a number, 1 a string (a word,
// or letters of a length), 2 a boolean, null or nested value. A number
// or a string is always two bytes, so that changing one does not shift
// the meaning of the bytes after it.
func jsonValueOf(r *bytesIn, kind, depth int) any {
	switch kind {
	case 0:
		n := numbers[r.pick(len(numbers))]
		r.byte()
		return n
	case 1:
		// The letters come from the second byte.
		c, seed := r.pick(len(strs)+24), r.byte()
		if c < len(strs) {
			return strs[c]
		}
		b := make([]byte, c-len(strs))
		x := uint32(seed)*2654435761 + 1
		for i := range b {
			x = x*1103515245 + 12345
			b[i] = 'a' + byte(x>>16)%26
		}
		return string(b)
	default:
		switch c := r.pick(5); {
		case c == 0:
			return nil
		case c < 3:
			return c == 1
		case depth > 0 && c == 3:
			return jsonObject(r, depth-1)
		case depth > 0:
			n := r.pick(4)
			a := make([]any, n)
			for i := range a {
				a[i] = jsonValue(r, depth-1)
			}
			return a
		}
		return float64(int8(r.byte()))
	}
}

// jsonObject decodes an object of 2 to 4 fields. A field's name and the
// kind of its value are one choice, so one mutation can turn any field
// into a string "message", say.
func jsonObject(r *bytesIn, depth int) map[string]any {
	n := 2 + r.pick(3)
	m := make(map[string]any, n)
	for i := 0; i < n; i++ {
		c := r.pick(len(keys) * 3)
		m[keys[c/3]] = jsonValueOf(r, c%3, depth)
	}
	return m
}

// marshal encodes v; map keys are sorted, so the bytes are deterministic.
func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("{}")
	}
	return b
}

// next decodes the next action for an app in state st, or reports that
// the input is used up. The action's At is the wait before it, as an
// offset from the previous action.
func next(r *bytesIn, events []string, v view) (drive.Action, bool) {
	for tries := 0; tries < 4; tries++ {
		if r.done() {
			return drive.Action{}, false
		}
		gap := gaps[r.pick(len(gaps))]
		a, ok := decodeAction(r, events[r.pick(len(events))], v)
		if ok {
			a.Duration = gap
			return a, true
		}
	}
	return drive.Action{}, false
}

// decodeAction decodes an action of the event kind ev that is valid in
// state st, or reports that none is.
func decodeAction(r *bytesIn, ev string, v view) (drive.Action, bool) {
	st, hasNote := v.state, v.hasNote
	fg := st == abi.StateActive || st == abi.StateInactive
	switch ev {
	case EvLife:
		var valid []drive.Kind
		if st != abi.StateActive {
			valid = append(valid, drive.Launch)
		}
		if st == abi.StateActive {
			valid = append(valid, drive.WristDown)
		}
		if fg {
			valid = append(valid, drive.Background)
		}
		if fg || st == abi.StateBackground {
			valid = append(valid, drive.Suspend)
		}
		if st == abi.StateBackground || st == abi.StateSuspended {
			valid = append(valid, drive.Purge)
		}
		return drive.Action{Kind: valid[r.pick(len(valid))]}, true
	case EvTask:
		if r.pick(6) == 0 {
			if st == abi.StateNotRunning {
				return drive.Action{}, false
			}
			return drive.Action{Kind: drive.Expire}, true
		}
		kinds := []abi.TaskKind{abi.TaskApplicationRefresh, abi.TaskSnapshot, abi.TaskWatchConnectivity, abi.TaskBluetoothAlert, abi.TaskIntentDidRun, abi.TaskRelevantShortcut, abi.TaskURLSession}
		a := drive.Action{Kind: drive.Trigger, Task: kinds[r.pick(len(kinds))]}
		switch a.Task {
		case abi.TaskSnapshot:
			a.Reason = abi.SnapshotReason(1 + r.pick(5))
		case abi.TaskBluetoothAlert:
			a.Peripheral = []string{"hr-strap", "scale", "x"}[r.pick(3)]
		case abi.TaskIntentDidRun:
			a.Intent = []string{"OrderIntent", "StartIntent"}[r.pick(2)]
		case abi.TaskURLSession:
			a.Session = []string{"download", "sync", "x"}[r.pick(3)]
		}
		return a, true
	case EvPush:
		return pushAction(r), true
	case EvNotification:
		if !hasNote {
			return drive.Action{}, false
		}
		return drive.Action{Kind: drive.TapNotification, Choice: actions[r.pick(len(actions))]}, true
	case EvPhone:
		return drive.Action{Kind: drive.Phone, Phone: abi.PhoneKind(1 + r.pick(4)), Payload: marshal(jsonObject(r, 2))}, true
	case EvComplication:
		return drive.Action{Kind: drive.Complication, On: r.byte()&1 == 1}, true
	case EvSleep:
		return drive.Action{Kind: drive.Note, Text: "time passes"}, true
	case EvWorkout:
		return workoutAction(r, v)
	case EvExtended:
		var valid []drive.Kind
		if fg {
			valid = append(valid, drive.Crown)
		}
		if v.extended {
			valid = append(valid, drive.FireAlarm, drive.SuppressSession)
		}
		valid = append(valid, drive.BAR)
		a := drive.Action{Kind: valid[r.pick(len(valid))]}
		if a.Kind == drive.BAR {
			a.On = r.byte()&1 == 1
		}
		return a, true
	case EvAudio:
		if v.audio && r.pick(2) == 0 {
			return drive.Action{Kind: drive.AudioInterruption, On: r.byte()&1 == 1}, true
		}
		return drive.Action{Kind: drive.Headphones, On: r.byte()&1 == 1}, true
	case EvBluetooth:
		return bluetoothAction(r), true
	}
	return drive.Action{}, false
}

// workoutAction decodes a workout move: the buttons, motion and another
// app's workout only while the app's workout is active (watchOS tells a
// workout's delegate, and there is none otherwise), the heart rate and
// route feeds at any time (they are what the sensors read).
func workoutAction(r *bytesIn, v view) (drive.Action, bool) {
	var valid []drive.Kind
	if v.workout {
		valid = append(valid, drive.BothButtons, drive.Motion, drive.OtherWorkout)
	}
	valid = append(valid, drive.HeartRate, drive.Route)
	a := drive.Action{Kind: valid[r.pick(len(valid))]}
	switch a.Kind {
	case drive.Motion:
		a.On = r.byte()&1 == 1 // paused
	case drive.HeartRate:
		data := heartRateCSV(r)
		s, err := samples.ParseCSV(heartRateFile, data, samples.Options{})
		if err != nil {
			return drive.Action{}, false
		}
		a.Series, a.File = s, heartRateFile
	case drive.Route:
		data := routeGPX(r)
		t, err := gpx.Parse(routeFile, data)
		if err != nil {
			return drive.Action{}, false
		}
		a.Track, a.File = t, routeFile
	}
	return a, true
}

// The names of the feeds' files in a saved scenario (numbered there).
const (
	heartRateFile = "heart-rate.csv"
	routeFile     = "route.gpx"
)

// heartRates are the heart rates a feed is made of, beats per minute,
// within the 20 to 250 the host accepts.
var heartRates = []int{20, 45, 60, 72, 90, 120, 150, 180, 210, 250}

// heartRateCSV decodes a heart rate file: 2 to 5 samples a minute apart.
func heartRateCSV(r *bytesIn) []byte {
	n := 2 + r.pick(4)
	s := &samples.Series{Samples: make([]samples.Sample, n)}
	for i := range s.Samples {
		s.Samples[i] = samples.Sample{T: time.Duration(i) * time.Minute, V: float64(heartRates[r.pick(len(heartRates))])}
	}
	return seriesCSV(s)
}

// seriesCSV writes a heart rate series as the CSV file it was parsed from.
func seriesCSV(s *samples.Series) []byte {
	var b strings.Builder
	b.WriteString("t,bpm\n")
	for _, p := range s.Samples {
		fmt.Fprintf(&b, "%d,%g\n", int64(p.T/time.Second), p.V)
	}
	return []byte(b.String())
}

// routeGPX decodes a GPX route: 2 to 5 points, 10 s apart, each a step
// of up to about 30 m from the last.
func routeGPX(r *bytesIn) []byte {
	t := &gpx.Track{Points: make([]gpx.Point, 2+r.pick(4))}
	lat, lon := 37.7694, -122.4737
	t0 := time.Date(2026, 6, 1, 6, 30, 0, 0, time.UTC)
	for i := range t.Points {
		if i > 0 {
			lat += float64(int8(r.byte())) * 2e-6
			lon += float64(int8(r.byte())) * 2e-6
		}
		t.Points[i] = gpx.Point{Lat: lat, Lon: lon, Time: t0.Add(time.Duration(i) * 10 * time.Second)}
	}
	return trackGPX(t)
}

// trackGPX writes a route as the GPX file it was parsed from.
func trackGPX(t *gpx.Track) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<gpx version="1.1" creator="watchbox fuzz" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>` + "\n")
	for _, p := range t.Points {
		fmt.Fprintf(&b, `<trkpt lat="%.7f" lon="%.7f"><time>%s</time></trkpt>`+"\n", p.Lat, p.Lon, p.Time.UTC().Format(time.RFC3339))
	}
	b.WriteString("</trkseg></trk></gpx>\n")
	return []byte(b.String())
}

// peripherals are the simulated peripherals' names and characteristics
// (heart rate measurement, battery level, humidity), and the peripheral
// names alerts come from.
var (
	peripheralNames = []string{"hr-strap", "scale", "x"}
	characteristics = []string{"180D/2A37", "180F/2A19", "181A/2A6F"}
)

// bluetoothAction decodes a peripheral's timely alert, or a simulated
// peripheral coming in range (or changing its value) or going.
func bluetoothAction(r *bytesIn) drive.Action {
	name := peripheralNames[r.pick(len(peripheralNames))]
	switch r.pick(3) {
	case 0:
		return drive.Action{Kind: drive.BluetoothAlert, Peripheral: name}
	case 1:
		return drive.Action{Kind: drive.Peripheral, Peripheral: name}
	}
	// A value is a word in a scenario: a decimal number, as in
	// "peripheral strap 180F/2A19 87".
	value := []byte(strconv.Itoa(int(r.byte())))
	return drive.Action{Kind: drive.Peripheral, Peripheral: name, On: true,
		Characteristic: characteristics[r.pick(len(characteristics))], Value: value}
}

// pushAction decodes a push: alert, background or complication, with a
// user info object and, for alerts, a category (notification actions).
func pushAction(r *bytesIn) drive.Action {
	top := jsonObject(r, 2)
	aps := map[string]any{}
	switch r.pick(3) {
	case 0: // alert
		aps["alert"] = map[string]any{"title": strs[r.pick(len(strs))], "body": jsonValue(r, 0)}
		if c := r.pick(3); c > 0 {
			aps["category"] = []string{"", "MESSAGE", "ALERT"}[c]
		}
		top["aps"] = aps
	case 1: // background
		aps["content-available"] = 1
		top["aps"] = aps
	default:
		top[push.TypeKey] = "complication"
	}
	raw := marshal(top)
	p, err := push.Parse(raw, 0)
	if err != nil {
		// A payload the parser refuses (over the size limit): a plain
		// background push instead, still valid.
		raw = []byte(`{"aps":{"content-available":1}}`)
		p, _ = push.Parse(raw, 0)
	}
	return drive.Action{Kind: drive.Push, Push: p, Payload: raw}
}

// fmtDuration writes d as scenario files read it ("90s", "5m", "1h").
func fmtDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}
