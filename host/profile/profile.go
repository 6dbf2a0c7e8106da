// Package profile holds a device profile: every number of the watchOS
// background execution model that the runtime enforces, each a documented
// default that a JSON file or a command-line override can change.
//
// Where Apple publishes a number, the default is that number and Source
// names it; where it publishes none, the default is watchbox's documented
// assumption. Budgets are given in wall time; under a virtual clock a call's
// CPU time is its fuel divided by InstructionRate, so a time budget is also
// a fuel budget.
package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/input"
	"github.com/watchbox/watchbox/internal/suggest"
)

// Duration is a time.Duration that reads and writes as a Go duration string
// ("15s", "2m0s") in JSON.
type Duration time.Duration

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 15s, 2m or 1h", b)
	}
	*d = Duration(v)
	return nil
}

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Profile is a device profile. The JSON names of its fields are the keys of
// profile files and of --set overrides.
type Profile struct {
	// Name identifies the profile in logs and traces.
	Name string `json:"name"`

	// InstructionRate is how many metered Wasm instructions the device runs
	// per second of CPU time; under the virtual clock it converts fuel to
	// time. Assumption: a watch-class core running Wasm through an
	// optimizing compiler.
	InstructionRate int64 `json:"instruction_rate"`

	// Per-call budgets (wall-clock deadline; fuel = time * InstructionRate).
	LaunchTime               Duration `json:"launch_time"`       // _initialize + did_finish_launching
	LifecycleTime            Duration `json:"lifecycle_time"`    // every other life-cycle callback
	TaskTime                 Duration `json:"task_time"`         // a background task, from delivery to completion
	TaskWarning              Duration `json:"task_warning"`      // the expiration call comes this long before the task's deadline
	PushRunTime              Duration `json:"push_run_time"`     // a content-available push in the background
	EventTime                Duration `json:"event_time"`        // any other event (notifications, phone messages, sessions)
	FrontmostTimeout         Duration `json:"frontmost_timeout"` // how long an app stays frontmost after the wrist drops
	ExtendedFrontmostTimeout Duration `json:"extended_frontmost_timeout"`
	SuspendDelay             Duration `json:"suspend_delay"` // background -> suspended
	ReturnToDefaultAfter     Duration `json:"return_to_default_after"`
	DataDeliveryDelay        Duration `json:"data_delivery_delay"` // data for a backgrounded app arrives within this

	// Budgets.
	RefreshesPerHour            int      `json:"refreshes_per_hour"` // with a complication on the active face
	RefreshesPerHourNoComp      int      `json:"refreshes_per_hour_no_complication"`
	SnapshotsPerHour            int      `json:"snapshots_per_hour"`             // Dock apps
	BackgroundPushesPerHour     int      `json:"background_pushes_per_hour"`     // content-available throttle
	ComplicationPushesPerDay    int      `json:"complication_pushes_per_day"`    // PushKit
	ComplicationTransfersPerDay int      `json:"complication_transfers_per_day"` // transferCurrentComplicationUserInfo
	BluetoothAlertsPerDay       int      `json:"bluetooth_alerts_per_day"`       // rolling 24 h, shared with background scans
	BluetoothNearLimit          int      `json:"bluetooth_near_limit"`           // warn when this many are left
	PushPayloadLimit            int      `json:"push_payload_limit"`             // bytes of an .apns file
	BackgroundCPUPercent        int      `json:"background_cpu_percent"`         // over BackgroundCPUWindow
	BackgroundCPUWindow         Duration `json:"background_cpu_window"`

	// Caps on what a guest can make the host hold.
	MaxConcurrentDownloads  int `json:"max_concurrent_downloads"`  // background downloads started and not yet delivered, per app
	MaxDownloadSize         int `json:"max_download_size"`         // bytes of one download's body (the data quota applies too)
	MaxPendingNotifications int `json:"max_pending_notifications"` // local notifications scheduled and not yet fired, per app
	MaxDecisionsPerApp      int `json:"max_decisions_per_app"`     // decisions the runtime keeps about one app for why; the older half is forgotten first
	// DecisionsPerCall caps the decisions about an app that one of its
	// calls (its requests) may make the runtime report; the rest are
	// dropped and counted. 0: no cap.
	DecisionsPerCall int `json:"decisions_per_call"`
	// MaxDeliveredNotifications is how many delivered, untapped
	// notifications an app keeps for a tap, the newest.
	MaxDeliveredNotifications int `json:"max_delivered_notifications"`
	// MaxPhoneTransfers bounds each of an app's phone lists: the
	// transfers it queued for a phone out of range, the phone's data held
	// for it meanwhile, and the history of what the phone received; the
	// oldest beyond are dropped.
	MaxPhoneTransfers int `json:"max_phone_transfers"`
	// Bluetooth central: what one app may hold open.
	MaxBluetoothConnections   int `json:"max_bluetooth_connections"`   // peripherals connected at once, per app
	MaxBluetoothSubscriptions int `json:"max_bluetooth_subscriptions"` // characteristics subscribed to at once, per app
	// What a guest's output may make the host hold and do (docs/design.md,
	// "What a guest can make the host hold").
	OutputBytesPerCall int `json:"output_bytes_per_call"` // bytes of stdout, stderr and log one call may log; the rest is dropped and counted
	OutputFuelPerByte  int `json:"output_fuel_per_byte"`  // fuel a call pays per byte it writes to stdout, stderr or log
	DataEntryBytes     int `json:"data_entry_bytes"`      // what each file, directory or link costs against the data quota
	DataMaxDepth       int `json:"data_max_depth"`        // how many levels below the data container an entry may be; 0: no bound
	SavedStateBytes    int `json:"saved_state_bytes"`     // bytes of state an app may carry across a hot reload (save_state's reply)
	// HostCallsPerCall caps the watchbox host function calls (event_read,
	// event_reply, log, request, result_read) one call may make: each
	// costs the host far more than the few instructions the guest pays
	// for it, so a guest looping on them would hold the host for many
	// times its CPU budget. Past it the call ends as cpu_time_exceeded.
	// 0: no cap.
	HostCallsPerCall int `json:"host_calls_per_call"`

	// Extended runtime sessions.
	SelfCareMax        Duration `json:"self_care_max"`
	MindfulnessMax     Duration `json:"mindfulness_max"`
	PhysicalTherapyMax Duration `json:"physical_therapy_max"`
	SmartAlarmMax      Duration `json:"smart_alarm_max"`
	SmartAlarmAhead    Duration `json:"smart_alarm_max_ahead"`
	SmartAlarmLate     Duration `json:"smart_alarm_past_tolerance"`

	// Background sessions: workouts, location, audio.
	WorkoutHeartRateInterval Duration `json:"workout_heart_rate_interval"` // a running workout's live data (heart rate, energy, distance) comes this often
	LocationInterval         Duration `json:"location_interval"`           // a location update comes this often while updates are on
	MaxQueuedLocations       int      `json:"max_queued_locations"`        // updates held for a suspended app; the oldest beyond are dropped
	MaxWorkoutPauses         int      `json:"max_workout_pauses"`          // pauses of one workout session; pause_workout beyond answers limit
	// ExtendedWillExpire is how long before a session's limit its
	// willExpire comes.
	ExtendedWillExpire Duration `json:"extended_will_expire_lead"`
	// notifyUser's repeats: the interval without a repeat handler, the
	// longest a handler may return, and the shortest watchbox lets it
	// (each repeat is a scheduler event and, with a handler, a call).
	SmartAlarmRepeat    Duration `json:"smart_alarm_repeat_default"`
	SmartAlarmRepeatMax Duration `json:"smart_alarm_repeat_max"`
	SmartAlarmRepeatMin Duration `json:"smart_alarm_repeat_min"`
}

// Default returns the default profile, "watch-default".
func Default() Profile {
	return Profile{
		Name:            "watch-default",
		InstructionRate: 250_000_000,

		LaunchTime:               Duration(20 * time.Second),
		LifecycleTime:            Duration(5 * time.Second),
		TaskTime:                 Duration(15 * time.Second),
		TaskWarning:              Duration(2 * time.Second),
		PushRunTime:              Duration(30 * time.Second),
		EventTime:                Duration(10 * time.Second),
		FrontmostTimeout:         Duration(2 * time.Minute),
		ExtendedFrontmostTimeout: Duration(time.Hour),
		SuspendDelay:             Duration(10 * time.Second),
		ReturnToDefaultAfter:     Duration(time.Hour),
		DataDeliveryDelay:        Duration(10 * time.Minute),

		RefreshesPerHour:            4,
		RefreshesPerHourNoComp:      1,
		SnapshotsPerHour:            1,
		BackgroundPushesPerHour:     3,
		ComplicationPushesPerDay:    50,
		ComplicationTransfersPerDay: 50,
		BluetoothAlertsPerDay:       5,
		BluetoothNearLimit:          1,
		PushPayloadLimit:            4096,
		BackgroundCPUPercent:        80,
		BackgroundCPUWindow:         Duration(60 * time.Second),

		MaxConcurrentDownloads:    8,
		MaxDownloadSize:           16 << 20,
		MaxPendingNotifications:   64,
		MaxDeliveredNotifications: 64,
		MaxPhoneTransfers:         100,
		MaxDecisionsPerApp:        2000,
		DecisionsPerCall:          1000,
		MaxBluetoothConnections:   4,
		MaxBluetoothSubscriptions: 16,
		OutputBytesPerCall:        256 << 10,
		OutputFuelPerByte:         4,
		DataEntryBytes:            4096,
		DataMaxDepth:              64,
		SavedStateBytes:           32 << 10,
		HostCallsPerCall:          100_000,

		SelfCareMax:        Duration(10 * time.Minute),
		MindfulnessMax:     Duration(time.Hour),
		PhysicalTherapyMax: Duration(time.Hour),
		SmartAlarmMax:      Duration(30 * time.Minute),
		SmartAlarmAhead:    Duration(36 * time.Hour),
		SmartAlarmLate:     Duration(time.Minute),

		WorkoutHeartRateInterval: Duration(5 * time.Second),
		LocationInterval:         Duration(2 * time.Second),
		MaxQueuedLocations:       3600,
		MaxWorkoutPauses:         1000,
		ExtendedWillExpire:       Duration(30 * time.Second),
		SmartAlarmRepeat:         Duration(3 * time.Second),
		SmartAlarmRepeatMax:      Duration(60 * time.Second),
		SmartAlarmRepeatMin:      Duration(time.Second),
	}
}

// Sources says where each default comes from, by JSON key. Keys missing here
// are watchbox assumptions (Apple publishes no number).
var Sources = map[string]string{
	"launch_time":                    "assumption; watchOS kills slow launches with 0x8badf00d (watchdog) after roughly 20 s",
	"task_time":                      "Apple says \"a few seconds\"; one report saw a 15 s wall-clock watchdog",
	"push_run_time":                  "Apple: background notifications get 30 s",
	"frontmost_timeout":              "Apple: the app stays frontmost 2 minutes after the wrist drops",
	"extended_frontmost_timeout":     "Apple: up to 1 hour when the app opts in (watchOS 8+)",
	"return_to_default_after":        "Apple: snapshot reason returnToDefaultState, 1 hour after the last interaction",
	"data_delivery_delay":            "Apple: data for a backgrounded app is delivered within about 10 minutes",
	"refreshes_per_hour":             "Apple: about 4 refreshes per hour with a complication on the active face",
	"snapshots_per_hour":             "Apple: about 1 snapshot per hour for Dock apps",
	"background_pushes_per_hour":     "Apple asks senders for no more than 2-3 background pushes an hour",
	"complication_pushes_per_day":    "Apple: 50 PushKit complication pushes per day",
	"complication_transfers_per_day": "Apple: transferCurrentComplicationUserInfo, 50 per day",
	"bluetooth_alerts_per_day":       "Apple: timely alerts and background scans share 5 per rolling 24 h",
	"bluetooth_near_limit":           "Apple: a near-limit error when 1 is left",
	"push_payload_limit":             "Apple: simulator push files hold at most 4096 bytes",
	"background_cpu_percent":         "iOS: 80 % CPU over 60 s; watchOS publishes no threshold",
	"background_cpu_window":          "iOS: 80 % CPU over 60 s",
	"data_entry_bytes":               "chosen here: one 4 KiB file system block, what an empty file or directory takes on APFS and ext4",
	"data_max_depth":                 "chosen here: far deeper than any app's own layout; a walk holds one directory open per level",
	"output_bytes_per_call":          "chosen here: 16 full log lines, far above a Go runtime crash dump of one goroutine",
	"saved_state_bytes":              "chosen here: half an event envelope; the state must fit in one restore_state event",
	"output_fuel_per_byte":           "chosen here: scanning, copying and logging a byte costs the host about as much as a few Wasm instructions",
	"host_calls_per_call":            "chosen here: hundreds of times what an app's event needs; at 2.5 us (a 64 KiB request) to 35 us (a refusal quoting its argument) of host work each, a call's host work stays within seconds, as its own CPU budget does",
	"self_care_max":                  "Apple: self care sessions run up to 10 minutes",
	"mindfulness_max":                "Apple: mindfulness sessions run up to 1 hour",
	"physical_therapy_max":           "Apple: physical therapy sessions run up to 1 hour",
	"smart_alarm_max":                "Apple: smart alarm sessions run up to 30 minutes",
	"smart_alarm_max_ahead":          "Apple: a smart alarm can be scheduled at most 36 hours ahead",
	"smart_alarm_past_tolerance":     "Apple: a date up to 1 minute in the past starts at once",
	"extended_will_expire_lead":      "chosen here; Apple says willExpire comes \"shortly before\" the expiration date, with no number",
	"smart_alarm_repeat_default":     "Apple: notifyUser without a repeat handler repeats every 3 seconds",
	"smart_alarm_repeat_max":         "Apple: a repeat handler's interval must be greater than 0 and at most 60 seconds",
	"smart_alarm_repeat_min":         "chosen here: Apple only says greater than 0; each repeat costs a scheduler event and, with a handler, a guest call",
	"max_concurrent_downloads":       "chosen here; Apple publishes no per-app number for background URL sessions",
	"max_download_size":              "chosen here; on top of the app's dataQuota",
	"max_bluetooth_connections":      "chosen here; Apple publishes no per-app number of Bluetooth LE connections",
	"max_bluetooth_subscriptions":    "chosen here; Apple publishes no per-app number of characteristic notifications",
	"max_pending_notifications":      "Apple: UNUserNotificationCenter keeps the soonest-firing 64 pending notifications per app",
	"max_delivered_notifications":    "chosen here: as many as may be pending (max_pending_notifications); Apple publishes no number for Notification Center",
	"max_phone_transfers":            "chosen here; Apple publishes no number for WatchConnectivity's queue; each transfer is at most one 64 KiB request",
	"workout_heart_rate_interval":    "developers report didCollectDataOf for heart rate about every 5 s in a workout; Apple says only \"high-frequency\"",
	"location_interval":              "Apple Watch GPX exports of runs hold a track point about every 2 s; Apple publishes no cadence",
	"max_queued_locations":           "chosen here: 2 hours of fixes at the 2 s cadence",
	"max_workout_pauses":             "chosen here: ten times the auto-pauses of a city marathon; the host keeps every pause of a session and reads them all for each live sample",
	"decisions_per_call":             "chosen here: half of max_decisions_per_app, so that one call cannot push the app's own history out of why, and hundreds of times what an app's event makes",
	"max_decisions_per_app":          "chosen here: a busy app's day of decisions; each app has its own share, so that one cannot push the others' out of why",
}

// Fuel returns the fuel budget that d of CPU time buys on this device.
func (p Profile) Fuel(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(float64(p.InstructionRate) * d.Seconds())
}

// CPUTime returns the CPU time fuel instructions take on this device.
func (p Profile) CPUTime(fuel int64) time.Duration {
	if p.InstructionRate <= 0 {
		return 0
	}
	return time.Duration(float64(fuel) / float64(p.InstructionRate) * float64(time.Second))
}

// MaxSavedState is the largest saved_state_bytes: the state must fit in one
// restore_state envelope (its header and the state field's header).
const MaxSavedState = abi.MaxEnvelope - abi.HeaderSize - abi.FieldHeaderSize

// Validate reports the first value that makes no sense, naming the
// profile.
func (p Profile) Validate() error {
	if err := p.check(); err != nil {
		return fmt.Errorf("profile %s: %w", p.Name, err)
	}
	return nil
}

// check is Validate without the profile's name, for callers that name it
// their own way (Load names the file).
func (p Profile) check() error {
	v := reflect.ValueOf(p)
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		key := jsonKey(t.Field(i))
		switch f := v.Field(i).Interface().(type) {
		case Duration:
			if f <= 0 {
				return fmt.Errorf("%s must be a positive duration, got %v", key, f.D())
			}
		case int:
			if f < 0 {
				return fmt.Errorf("%s must not be negative, got %d", key, f)
			}
		case int64:
			if f <= 0 {
				return fmt.Errorf("%s must be positive, got %d", key, f)
			}
		}
	}
	if p.SavedStateBytes > MaxSavedState {
		return fmt.Errorf("saved_state_bytes is %d, more than the %d bytes one restore_state event can carry (the ABI's %d-byte envelope)",
			p.SavedStateBytes, MaxSavedState, abi.MaxEnvelope)
	}
	if p.SmartAlarmRepeatMin > p.SmartAlarmRepeatMax || p.SmartAlarmRepeat > p.SmartAlarmRepeatMax {
		return fmt.Errorf("smart_alarm_repeat_min (%v) and smart_alarm_repeat_default (%v) must not exceed smart_alarm_repeat_max (%v)", p.SmartAlarmRepeatMin.D(), p.SmartAlarmRepeat.D(), p.SmartAlarmRepeatMax.D())
	}
	if p.TaskWarning >= p.TaskTime {
		return fmt.Errorf("task_warning (%v) must be shorter than task_time (%v)", p.TaskWarning.D(), p.TaskTime.D())
	}
	return nil
}

// Load reads a profile file: a JSON object whose keys override the default
// profile. Unknown keys are errors. Errors name the file, and the line and
// column of the fault where it has one.
func Load(path string) (Profile, error) {
	b, err := input.Read(path, input.Profile)
	if err != nil {
		return Profile{}, fmt.Errorf("profile: %w", err)
	}
	p := Default()
	if len(strings.TrimSpace(string(b))) == 0 {
		return Profile{}, fmt.Errorf("profile %s: the file is empty; write a JSON object of the keys to change, such as {\"task_time\": \"10s\"}", path)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Profile{}, decodeError(path, b, err)
	}
	// One object: anything after it would be silently ignored.
	end := int(dec.InputOffset())
	if _, err := dec.Token(); err != io.EOF {
		for end < len(b) && strings.ContainsRune(" \t\r\n", rune(b[end])) {
			end++
		}
		line, col := input.LineCol(b, end)
		return Profile{}, fmt.Errorf("profile %s:%d:%d: more after the profile's JSON object; a profile file is one object", path, line, col)
	}
	if err := p.check(); err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", path, err)
	}
	return p, nil
}

// decodeError explains a JSON decoding error of the profile file path
// holding b, at its line and column where the error has an offset.
func decodeError(path string, b []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		// Offset is past the byte at fault.
		line, col := input.LineCol(b, int(syntax.Offset)-1)
		return fmt.Errorf("profile %s:%d:%d: %v; a profile file is one JSON object", path, line, col, err)
	case errors.As(err, &typ):
		// Offset is past the value; the key is a clearer place.
		off := int(typ.Offset)
		if _, koff, ok := failingKey(b); ok {
			off = koff
		}
		line, col := input.LineCol(b, off)
		want := "a whole number"
		switch typ.Type {
		case reflect.TypeOf(Duration(0)):
			want = "a duration string such as \"15s\""
		case reflect.TypeOf(""):
			want = "a string"
		case reflect.TypeOf(Profile{}):
			want = "an object"
		}
		key := typ.Field
		if key == "" {
			line, col = input.LineCol(b, len(b)-len(strings.TrimLeft(string(b), " \t\r\n")))
			return fmt.Errorf("profile %s:%d:%d: the file holds a JSON %s; a profile file is one JSON object", path, line, col, typ.Value)
		}
		return fmt.Errorf("profile %s:%d:%d: %s is a JSON %s; want %s", path, line, col, key, typ.Value, want)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("profile %s: the JSON object ends early (a missing } or \"?)", path)
	}
	msg := err.Error()
	if key, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		name, _ := strconv.Unquote(key)
		return fmt.Errorf("profile %s: json: unknown field %s%s (keys: %s)", path, key, suggest.Hint(name, Keys()), strings.Join(Keys(), ", "))
	}
	// A value's own error (a duration that does not parse) has no
	// offset: find the key whose value fails alone.
	if key, off, ok := failingKey(b); ok {
		line, col := input.LineCol(b, off)
		return fmt.Errorf("profile %s:%d:%d: %s: %v", path, line, col, key, err)
	}
	return fmt.Errorf("profile %s: %v", path, err)
}

// failingKey returns the first top-level key of the JSON object b whose
// value alone does not decode into a Profile, and the offset of the key.
func failingKey(b []byte) (key string, offset int, ok bool) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", 0, false
	}
	for dec.More() {
		off := int(dec.InputOffset())
		t, err := dec.Token()
		if err != nil {
			return "", 0, false
		}
		k, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return "", 0, false
		}
		one, _ := json.Marshal(map[string]json.RawMessage{k: raw})
		var p Profile
		if json.Unmarshal(one, &p) != nil {
			// InputOffset was before the comma or space ahead of the key.
			for off < len(b) && b[off] != '"' {
				off++
			}
			return k, off, true
		}
	}
	return "", 0, false
}

// Set overrides one value by its key, as in --set task_time=10s.
func (p *Profile) Set(key, value string) error {
	v := reflect.ValueOf(p).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if jsonKey(t.Field(i)) != key {
			continue
		}
		f := v.Field(i)
		switch f.Interface().(type) {
		case Duration:
			var d Duration
			if err := d.UnmarshalText([]byte(value)); err != nil {
				return fmt.Errorf("profile key %s: %v", key, err)
			}
			f.Set(reflect.ValueOf(d))
		case int, int64:
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return fmt.Errorf("profile key %s: %q is not a whole number", key, value)
			}
			f.SetInt(n)
		case string:
			f.SetString(value)
		}
		return p.Validate()
	}
	return fmt.Errorf("unknown profile key %q%s; keys are: %s", key, suggest.Hint(key, Keys()), strings.Join(Keys(), ", "))
}

// ParseSet applies "key=value" overrides in order.
func (p *Profile) ParseSet(overrides []string) error {
	for _, o := range overrides {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			return errors.New("profile override " + strconv.Quote(o) + " is not key=value")
		}
		if err := p.Set(strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
			return err
		}
	}
	return nil
}

// Keys returns every profile key, sorted.
func Keys() []string {
	t := reflect.TypeOf(Profile{})
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		keys = append(keys, jsonKey(t.Field(i)))
	}
	sort.Strings(keys)
	return keys
}

func jsonKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}
