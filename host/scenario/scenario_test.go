package scenario

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// examples is where the shipped example scenarios live.
const examples = "../../tests/scenarios"

// writeFiles creates files (path -> contents) under a new temporary
// directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// testFiles are data files the tests' scenarios use.
var testFiles = map[string]string{
	"push/alert.apns":        `{"aps":{"alert":{"title":"Rain","body":"Take an umbrella."}},"id":7}`,
	"push/background.apns":   `{"aps":{"content-available":1}}`,
	"push/complication.apns": `{"watchbox-push-type":"complication","t":21}`,
	"push/bad.apns":          "{\n  \"aps\": {\"badge\": \"one\"}\n}",
	"push/big.apns":          `{"aps":{"alert":"x"},"pad":"` + strings.Repeat("x", 200) + `"}`,
	"data/forecast.json":     `{"t": 18}`,
	"data/page.html":         `<p>hi</p>`,
	"data/blob.bin":          "\x00\x01",
	"data/user.json":         "{\n  \"from\": \"Ann\"\n}",
	"data/list.json":         `[1, 2]`,
	"data/broken.json":       `{"a":`,
	"data/hr.csv":            "t,bpm\n0,60\n60,61\n",
	"data/bad-hr.csv":        "t,bpm\n0,60\n0,61\n",
	"profiles/slow.json":     `{"task_time": "30s"}`,
	"profiles/bad.json":      `{"task_tim": "30s"}`,
}

// parse parses src as the file s.scenario in a directory holding
// testFiles.
func parse(t *testing.T, src string, opts Options) (*Scenario, error) {
	t.Helper()
	dir := writeFiles(t, testFiles)
	return Parse(filepath.Join(dir, "s.scenario"), []byte(src), opts)
}

// mustParse parses src with a weather and a messages app declared first
// (lines 1 and 2) and fails the test on any error.
func mustParse(t *testing.T, src string) *Scenario {
	t.Helper()
	s, err := parse(t, "app weather apps/weather\napp messages apps/messages\n"+src, Options{})
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	return s
}

func TestShippedExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(examples, "*.scenario"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %d example scenarios in %s, want at least 2", len(files), examples)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := ParseFile(f, Options{})
			if err != nil {
				t.Fatalf("%v", err)
			}
			if len(s.Events) == 0 {
				t.Error("no events")
			}
			for _, a := range s.Apps {
				if rel, _ := filepath.Rel(filepath.Join(examples, "../.."), a.Dir); !strings.HasPrefix(rel, "apps"+string(filepath.Separator)) {
					t.Errorf("app %s is %s; examples run the repository's apps/ bundles", a.Alias, a.Dir)
				}
			}
			if _, err := s.DeviceProfile(); err != nil {
				t.Errorf("device profile: %v", err)
			}
			if _, err := ParseFile(f, Options{SkipDataFiles: true}); err != nil {
				t.Errorf("with SkipDataFiles: %v", err)
			}
		})
	}
}

// TestDayUsesEveryVerb keeps day.scenario a tour of the whole format.
func TestDayUsesEveryVerb(t *testing.T) {
	s, err := ParseFile(filepath.Join(examples, "day.scenario"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	tasks := map[string]bool{}
	phones := map[string]bool{}
	pushes := map[string]bool{}
	for _, e := range s.Events {
		used[string(e.Verb)] = true
		if e.Verb == VerbTrigger {
			tasks[abi.TaskKindName(e.Task)] = true
		}
		if e.Verb == VerbPhone {
			phones[e.Phone.String()] = true
		}
		if e.Push != nil {
			pushes[string(e.Push.Type)] = true
		}
	}
	for _, v := range verbNames() {
		if v != "open" && !used[v] {
			t.Errorf("day.scenario has no %s event", v)
		}
	}
	for _, k := range abi.TaskKindNames() {
		if !tasks[k] {
			t.Errorf("day.scenario triggers no %s task", k)
		}
	}
	for _, k := range abi.PhoneKindNames() {
		if !phones[k] {
			t.Errorf("day.scenario has no phone %s event", k)
		}
	}
	for _, k := range []string{"alert", "background", "complication"} {
		if !pushes[k] {
			t.Errorf("day.scenario has no %s push", k)
		}
	}
	if s.Seed != 42 || s.Duration != 24*time.Hour || !s.Complications["weather"] || len(s.Routes) != 4 {
		t.Errorf("header: seed %d duration %v complications %v routes %d", s.Seed, s.Duration, s.Complications, len(s.Routes))
	}
}

func TestDefaults(t *testing.T) {
	s, err := parse(t, "app weather w\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Start.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || s.Duration != 24*time.Hour ||
		s.Seed != 1 || s.Profile != "default" || s.ProfilePath != "" || len(s.Events) != 0 {
		t.Errorf("defaults: %+v", s)
	}
	if !s.End().Equal(s.Start.Add(24 * time.Hour)) {
		t.Errorf("End %v", s.End())
	}
	if a, ok := s.App("weather"); !ok || a.Dir != filepath.Join(s.Dir, "w") || a.Line != 1 {
		t.Errorf("App(weather) = %+v, %v", a, ok)
	}
	if _, ok := s.App("nope"); ok {
		t.Error("App(nope) found")
	}
	if p, err := s.DeviceProfile(); err != nil || p.Name != "watch-default" {
		t.Errorf("DeviceProfile: %v %v", p.Name, err)
	}
}

func TestHeader(t *testing.T) {
	src := `# header
start 2026-06-01T07:00:00+02:00   # a comment
duration 1d12h
seed -9
profile profiles/slow.json
set task_time=20s
set refreshes_per_hour = 2
app weather ../apps/weather
app messages /abs/messages
complication weather on
complication messages off
serve GET /forecast 200 data/forecast.json
serve GET /page 200 data/page.html delay=1s
serve GET /blob 200 data/blob.bin type=application/x-thing
serve POST /read 204
serve GET /status 200 "ok \"fine\""
serve PUT /json 201 {"ok": true} delay=2m
serve DELETE /x 404 type=text/plain delay=0s "gone"
`
	s, err := parse(t, strings.Replace(src, "set refreshes_per_hour = 2", "set refreshes_per_hour=2", 1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 6, 1, 5, 0, 0, 0, time.UTC); !s.Start.Equal(want) {
		t.Errorf("start %v", s.Start)
	}
	if s.Duration != 36*time.Hour || s.Seed != -9 {
		t.Errorf("duration %v seed %d", s.Duration, s.Seed)
	}
	if s.Profile != "profiles/slow.json" || s.ProfilePath != filepath.Join(s.Dir, "profiles/slow.json") {
		t.Errorf("profile %q %q", s.Profile, s.ProfilePath)
	}
	if !reflect.DeepEqual(s.Sets, []string{"task_time=20s", "refreshes_per_hour=2"}) {
		t.Errorf("sets %q", s.Sets)
	}
	p, err := s.DeviceProfile()
	if err != nil || p.TaskTime.D() != 20*time.Second || p.RefreshesPerHour != 2 {
		t.Errorf("device profile: task_time %v refreshes %d, %v", p.TaskTime.D(), p.RefreshesPerHour, err)
	}
	wantApps := []App{
		{Alias: "weather", Dir: filepath.Join(filepath.Dir(s.Dir), "apps/weather"), Line: 8},
		{Alias: "messages", Dir: "/abs/messages", Line: 9},
	}
	if !reflect.DeepEqual(s.Apps, wantApps) {
		t.Errorf("apps %+v", s.Apps)
	}
	if !reflect.DeepEqual(s.Complications, map[string]bool{"weather": true, "messages": false}) {
		t.Errorf("complications %v", s.Complications)
	}
	wantRoutes := []Route{
		{Method: "GET", Path: "/forecast", Status: 200, Body: []byte(`{"t": 18}`), File: filepath.Join(s.Dir, "data/forecast.json"), ContentType: "application/json", Line: 12},
		{Method: "GET", Path: "/page", Status: 200, Body: []byte(`<p>hi</p>`), File: filepath.Join(s.Dir, "data/page.html"), ContentType: "text/html; charset=utf-8", Delay: time.Second, Line: 13},
		{Method: "GET", Path: "/blob", Status: 200, Body: []byte("\x00\x01"), File: filepath.Join(s.Dir, "data/blob.bin"), ContentType: "application/x-thing", Line: 14},
		{Method: "POST", Path: "/read", Status: 204, Line: 15},
		{Method: "GET", Path: "/status", Status: 200, Body: []byte(`ok "fine"`), ContentType: "text/plain; charset=utf-8", Line: 16},
		{Method: "PUT", Path: "/json", Status: 201, Body: []byte(`{"ok": true}`), ContentType: "application/json", Delay: 2 * time.Minute, Line: 17},
		{Method: "DELETE", Path: "/x", Status: 404, Body: []byte("gone"), ContentType: "text/plain", Line: 18},
	}
	if !reflect.DeepEqual(s.Routes, wantRoutes) {
		for i := range s.Routes {
			t.Errorf("route %d: %+v (body %q)", i, s.Routes[i], s.Routes[i].Body)
		}
	}

	s, err = parse(t, "start 2026-06-01\napp a x\nat 23:59:59 wrist-down\n", Options{})
	if err != nil || !s.Start.Equal(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date-only start: %v %v", s, err)
	}
}

// TestVerbs parses one event of every verb and form.
func TestVerbs(t *testing.T) {
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		line string
		want Event // At, Line and Column are filled in
	}{
		{"launch weather", Event{Verb: VerbLaunch, App: "weather"}},
		{"open messages", Event{Verb: VerbLaunch, App: "messages"}},
		{"wrist-up", Event{Verb: VerbWristUp}},
		{"wrist-up weather", Event{Verb: VerbWristUp, App: "weather"}},
		{"wrist-down", Event{Verb: VerbWristDown}},
		{"background weather", Event{Verb: VerbBackground, App: "weather"}},
		{"suspend weather", Event{Verb: VerbSuspend, App: "weather"}},
		{"purge weather", Event{Verb: VerbPurge, App: "weather"}},
		{"phone user-info messages {\"from\": \"Ann\", \"text\": \"Lunch? # not a comment\"}", Event{Verb: VerbPhone, App: "messages", Phone: abi.PhoneUserInfo, Payload: json.RawMessage(`{"from":"Ann","text":"Lunch? # not a comment"}`)}},
		{"phone context messages {}", Event{Verb: VerbPhone, App: "messages", Phone: abi.PhoneContext, Payload: json.RawMessage(`{}`)}},
		{"phone message messages {\"a\":[1,2]}   # a comment", Event{Verb: VerbPhone, App: "messages", Phone: abi.PhoneMessage, Payload: json.RawMessage(`{"a":[1,2]}`)}},
		{"phone complication weather @data/user.json", Event{Verb: VerbPhone, App: "weather", Phone: abi.PhoneComplication, File: "data/user.json", Payload: json.RawMessage(`{"from":"Ann"}`)}},
		{"bluetooth-alert weather", Event{Verb: VerbBluetoothAlert, App: "weather"}},
		{"bluetooth-alert weather rain-sensor", Event{Verb: VerbBluetoothAlert, App: "weather", Peripheral: "rain-sensor"}},
		{"peripheral strap 180d/2a37 72", Event{Verb: VerbPeripheral, Peripheral: "strap", Characteristic: "180D/2A37", Value: []byte("72"), On: true}},
		{"peripheral strap 180F/2A19 \"87 %\"", Event{Verb: VerbPeripheral, Peripheral: "strap", Characteristic: "180F/2A19", Value: []byte("87 %"), On: true}},
		{"peripheral strap off", Event{Verb: VerbPeripheral, Peripheral: "strap"}},
		{"intent weather OrderCoffee", Event{Verb: VerbIntent, App: "weather", Intent: "OrderCoffee"}},
		{"intent weather OrderCoffee {\"size\": \"large\"}", Event{Verb: VerbIntent, App: "weather", Intent: "OrderCoffee", Payload: json.RawMessage(`{"size":"large"}`)}},
		{"intent weather OrderCoffee @data/user.json", Event{Verb: VerbIntent, App: "weather", Intent: "OrderCoffee", File: "data/user.json", Payload: json.RawMessage(`{"from":"Ann"}`)}},
		{"relevant-shortcut weather", Event{Verb: VerbRelevantShortcut, App: "weather"}},
		{"trigger weather application-refresh", Event{Verb: VerbTrigger, App: "weather", Task: abi.TaskApplicationRefresh}},
		{"trigger weather snapshot", Event{Verb: VerbTrigger, App: "weather", Task: abi.TaskSnapshot}},
		{"trigger weather snapshot complication-update", Event{Verb: VerbTrigger, App: "weather", Task: abi.TaskSnapshot, Reason: abi.SnapshotComplicationUpdate}},
		{"trigger weather url-session", Event{Verb: VerbTrigger, App: "weather", Task: abi.TaskURLSession}},
		{"trigger weather url-session dl-1", Event{Verb: VerbTrigger, App: "weather", Task: abi.TaskURLSession, Session: "dl-1"}},
		{"trigger weather watch-connectivity", Event{Verb: VerbTrigger, App: "weather", Task: abi.TaskWatchConnectivity}},
		{"trigger weather bluetooth-alert", Event{Verb: VerbTrigger, App: "weather", Task: abi.TaskBluetoothAlert}},
		{"trigger weather bluetooth-alert band", Event{Verb: VerbTrigger, App: "weather", Task: abi.TaskBluetoothAlert, Peripheral: "band"}},
		{"trigger weather intent-did-run", Event{Verb: VerbTrigger, App: "weather", Task: abi.TaskIntentDidRun}},
		{"trigger weather intent-did-run OrderCoffee", Event{Verb: VerbTrigger, App: "weather", Task: abi.TaskIntentDidRun, Intent: "OrderCoffee"}},
		{"trigger weather relevant-shortcut", Event{Verb: VerbTrigger, App: "weather", Task: abi.TaskRelevantShortcut}},
		{"expire weather", Event{Verb: VerbExpire, App: "weather"}},
		{"expire weather snapshot", Event{Verb: VerbExpire, App: "weather", Task: abi.TaskSnapshot}},
		{"tap-notification messages", Event{Verb: VerbTapNotification, App: "messages"}},
		{"tap-notification messages msg-981", Event{Verb: VerbTapNotification, App: "messages", Notification: "msg-981"}},
		{"tap-notification messages action=REPLY", Event{Verb: VerbTapNotification, App: "messages", Action: "REPLY"}},
		{"tap-notification messages msg-981 action=REPLY", Event{Verb: VerbTapNotification, App: "messages", Notification: "msg-981", Action: "REPLY"}},
		{"complication weather on", Event{Verb: VerbComplication, App: "weather", On: true}},
		{"complication weather off", Event{Verb: VerbComplication, App: "weather", On: false}},
		{"serve GET /forecast 500 \"down\" delay=3s", Event{Verb: VerbServe, Route: &Route{Method: "GET", Path: "/forecast", Status: 500, Body: []byte("down"), ContentType: "text/plain; charset=utf-8", Delay: 3 * time.Second, Line: 3}}},
		{"set task_time=5s", Event{Verb: VerbSet, Set: "task_time=5s"}},
		{"note the user \"forgets\" the watch", Event{Verb: VerbNote, Text: "the user forgets the watch"}},
		{"both-buttons weather", Event{Verb: VerbBothButtons, App: "weather"}},
		{"other-workout weather", Event{Verb: VerbOtherWorkout, App: "weather"}},
		{"motion weather paused", Event{Verb: VerbMotion, App: "weather", On: true}},
		{"motion weather resumed", Event{Verb: VerbMotion, App: "weather"}},
		{"headphones on", Event{Verb: VerbHeadphones, On: true}},
		{"headphones off", Event{Verb: VerbHeadphones}},
		{"audio-interruption weather began", Event{Verb: VerbAudioInterruption, App: "weather", On: true}},
		{"audio-interruption weather ended", Event{Verb: VerbAudioInterruption, App: "weather"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			s := mustParse(t, "at 09:00 "+tt.line+"\n")
			if len(s.Events) != 1 {
				t.Fatalf("%d events", len(s.Events))
			}
			want := tt.want
			want.At, want.Line, want.Column = at, 3, 1
			if want.File != "" {
				want.File = filepath.Join(s.Dir, want.File)
			}
			if !reflect.DeepEqual(s.Events[0], want) {
				t.Errorf("got  %+v\nwant %+v", s.Events[0], want)
			}
		})
	}
}

func TestPushEvents(t *testing.T) {
	s := mustParse(t, "at 09:00 push weather push/alert.apns\nat 09:01 push weather push/background.apns\nat 09:02 push weather push/complication.apns\n")
	want := []string{"alert", "background", "complication"}
	for i, e := range s.Events {
		if e.Verb != VerbPush || e.App != "weather" || e.Push == nil || string(e.Push.Type) != want[i] {
			t.Fatalf("event %d: %+v", i, e)
		}
		if e.File != filepath.Join(s.Dir, "push", want[i]+".apns") {
			t.Errorf("file %s", e.File)
		}
	}
	if s.Events[0].Push.Alert.Title != "Rain" || string(s.Events[0].Push.UserInfo) != `{"id":7}` {
		t.Errorf("alert push %+v", s.Events[0].Push)
	}
}

func TestTimes(t *testing.T) {
	src := `start 2026-06-01T07:00:00Z
duration 2d
at 07:00 wrist-down            # the start, inclusive
at 08:30 wrist-down
at +90s wrist-down             # after the previous line: 08:31:30
at 07:45:10 wrist-down
at +1h wrist-down              # after 07:45:10, not after 08:31:30
at T+26h wrist-down
at +20h wrist-down
at 2026-06-02T09:00:00+02:00 wrist-down
at +0s wrist-down
at t+1d2h3m wrist-down
at 2026-06-03T07:00:00Z wrist-down   # the end, inclusive
`
	s := mustParse(t, src)
	base := time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)
	want := map[int]time.Time{ // by line
		5:  base,
		6:  base.Add(90 * time.Minute),
		7:  base.Add(91*time.Minute + 30*time.Second),
		8:  base.Add(45*time.Minute + 10*time.Second),
		9:  base.Add(105*time.Minute + 10*time.Second),
		10: base.Add(26 * time.Hour),
		11: base.Add(46 * time.Hour),
		12: time.Date(2026, 6, 2, 7, 0, 0, 0, time.UTC),
		13: time.Date(2026, 6, 2, 7, 0, 0, 0, time.UTC),
		14: base.Add(26*time.Hour + 3*time.Minute),
		15: base.Add(48 * time.Hour),
	}
	if len(s.Events) != len(want) {
		t.Fatalf("%d events, want %d", len(s.Events), len(want))
	}
	for _, e := range s.Events {
		if !e.At.Equal(want[e.Line]) {
			t.Errorf("line %d at %v, want %v", e.Line, e.At, want[e.Line])
		}
	}
}

func TestClockTimesUseTheStartsZone(t *testing.T) {
	s := mustParse(t, "start 2026-06-01T07:00:00-05:00\nat 09:15 wrist-down\n")
	if want := time.Date(2026, 6, 1, 14, 15, 0, 0, time.UTC); !s.Events[0].At.Equal(want) {
		t.Errorf("at %v, want %v", s.Events[0].At.UTC(), want)
	}
}

// TestSortStable checks that events come out sorted by time and that
// events at the same time keep file order.
func TestSortStable(t *testing.T) {
	src := `at 12:00 note c1
at 09:00 note a1
at 12:00 note c2
at 10:00 note b1
at 09:00 note a2
at +0s note a3
at 12:00 note c3
at 10:00 note b2
`
	s := mustParse(t, src)
	var got []string
	for _, e := range s.Events {
		got = append(got, e.Text)
	}
	want := []string{"a1", "a2", "a3", "b1", "b2", "c1", "c2", "c3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if !sort.SliceIsSorted(s.Events, func(i, j int) bool { return s.Events[i].At.Before(s.Events[j].At) }) {
		t.Error("not sorted")
	}
}

func TestLex(t *testing.T) {
	toks, err := lex(`at  09:00 note "a # b" é{"x": "y # z"}  #c # d`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, tk.text)
	}
	if want := []string{"at", "09:00", "note", "a # b", `é{"x":`, "y # z", "}"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tokens %q, want %q", got, want)
	}
	toks, _ = lex("é {\"a\":1}")
	if toks[1].kind != jsonv || toks[1].col != 3 || toks[1].end != 10 {
		t.Errorf("JSON token %+v", toks[1])
	}
	if toks, _ := lex("   # only a comment"); len(toks) != 0 {
		t.Errorf("comment line: %v", toks)
	}
}

func TestSuggest(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"lanch", ` (did you mean "launch"?)`},
		{"wristup", ` (did you mean "wrist-up"?)`},
		{"refresh", ` (did you mean "application-refresh"?)`},
		{"xyzzy", ""},
		{"a", ""},
	} {
		if got := suggest(tt.in, append(verbNames(), "application-refresh")); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSkipDataFiles(t *testing.T) {
	src := `profile profiles/missing.json
app weather w
serve GET /a 200 data/missing.json
at 09:00 push weather push/missing.apns
at 09:00 phone user-info weather @data/missing.json
at 09:00 intent weather X @data/missing.json
`
	if _, err := parse(t, src, Options{}); err == nil {
		t.Fatal("missing files not reported")
	} else if n := len(err.(Errors)); n != 5 {
		t.Errorf("%d errors, want 5:\n%v", n, err)
	}
	s, err := parse(t, src, Options{SkipDataFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Routes[0].Body != nil || s.Routes[0].File == "" || s.Events[0].Push != nil || s.Events[0].File == "" || s.Events[1].Payload != nil || s.Events[2].Payload != nil {
		t.Errorf("files read with SkipDataFiles: %+v %+v", s.Routes, s.Events)
	}
}

func TestParseFileMissing(t *testing.T) {
	if _, err := ParseFile(filepath.Join(t.TempDir(), "none.scenario"), Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v", err)
	}
}

// TestCollectsEveryError checks that one parse reports every problem, in
// line order, each with file, line and column.
func TestCollectsEveryError(t *testing.T) {
	src := `duration 12h
at 07:00 lanch weather
app weather w
at 08:00 launch wether
stat 2026-01-01
at 09:00 push weather push/bad.apns
at 30:00 wrist-down
at 10:00 trigger weather url-session ../escape
`
	_, err := parse(t, src, Options{})
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error %T %v", err, err)
	}
	var got []string
	for _, e := range es {
		got = append(got, filepath.Base(e.File)+":"+strconv.Itoa(e.Line)+":"+strconv.Itoa(e.Column)+" "+e.Token)
	}
	want := []string{
		"s.scenario:2:10 lanch",
		"s.scenario:4:17 wether",
		"s.scenario:5:1 stat",
		"s.scenario:6:23 push/bad.apns",
		"s.scenario:7:4 30:00",
		"s.scenario:8:38 ../escape",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors %q\nwant %q\n%v", got, want, err)
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != len(want) || !strings.HasSuffix(lines[0], `s.scenario:2:10: unknown verb "lanch" (did you mean "launch"?); verbs are: `+strings.Join(verbNames(), ", ")) {
		t.Errorf("message:\n%v", err)
	}
}

// TestDocExample checks that the first example of docs/scenario.md parses.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/scenario.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "## 1. Example\n\n```\n")
	example, _, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		t.Fatal("no example in docs/scenario.md")
	}
	s, err := Parse(filepath.Join(examples, "doc.scenario"), []byte(example), Options{})
	if err != nil {
		t.Fatalf("docs/scenario.md example:\n%v", err)
	}
	if len(s.Events) != 11 || s.Events[1].At.Sub(s.Start) != 30*time.Second {
		t.Errorf("%d events; second at %v", len(s.Events), s.Events[1].At.Sub(s.Start))
	}
}

// A peripheral's samples file is parsed when the scenario is, with Step
// values.
func TestPeripheralSamples(t *testing.T) {
	s := mustParse(t, "at 09:00 peripheral strap 180D/2A37 @data/hr.csv\n")
	ev := s.Events[0]
	if ev.Samples == nil || len(ev.Samples.Samples) != 2 || ev.Samples.Interp != samples.Step || ev.File != filepath.Join(s.Dir, "data/hr.csv") {
		t.Fatalf("%+v", ev)
	}
}
