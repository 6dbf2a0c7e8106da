package scenario

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/host/profile"
)

// TestErrors checks every problem Parse reports: its line, column and
// message. Each source follows "app weather w" on line 1; in the messages
// {dir} stands for the scenario's directory, KEYS for the profile keys,
// VERBS for the verbs and TIMES for the time forms.
func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "LINE:COLUMN: MESSAGE"
	}{
		{"unterminated quote", "at 09:00 note \"abc", []string{"2:15: unterminated quoted string: a closing \" is missing"}},
		{"bad escape", "at 09:00 note \"a\\qb\"", []string{"2:15: bad quoted string \"a\\qb\": escapes are Go's (\\\", \\\\, \\n, \\t, \\u00e9)"}},
		{"bad JSON", "at 09:00 phone user-info weather {\"a\" 1}", []string{"2:39: bad JSON: invalid character '1' after object key"}},
		{"JSON brackets mismatched", "at 09:00 phone user-info weather {\"a\": [1, 2}", []string{"2:45: bad JSON: invalid character '}' after array element"}},
		{"JSON ends early", "at 09:00 phone user-info weather {\"a\": 1", []string{"2:41: bad JSON: the line ends before the JSON value does (JSON must be on one line; use @FILE for longer data)"}},
		{"start twice", "start 2026-06-01T00:00:00Z\nstart 2026-06-02T00:00:00Z", []string{"3:1: start is given twice (first on line 2); a scenario has one"}},
		{"start missing value", "start", []string{"2:7: start is missing an argument; usage: start TIME (RFC 3339, as in 2026-06-01T07:00:00Z, or a date 2026-06-01)"}},
		{"start extra value", "start 2026-06-01 07:00", []string{"2:18: unexpected \"07:00\"; usage: start TIME (RFC 3339, as in 2026-06-01T07:00:00Z, or a date 2026-06-01)"}},
		{"bad start", "start tomorrow", []string{"2:7: bad start \"tomorrow\": give an RFC 3339 time such as 2026-06-01T07:00:00Z, or a date such as 2026-06-01"}},
		{"start in year 1", "start 0001-01-01T09:00:00Z", []string{"2:7: bad start: 0001-01-01T09:00:00Z is outside the times watchbox can run at, 1970-01-01T00:00:01Z to 2262-01-01T00:00:00Z: the ABI carries times as nanoseconds since 1970 in 64 bits; give a time in that range, such as 2026-01-01T00:00:00Z"}},
		{"zero start", "start 0001-01-01", []string{"2:7: bad start: 0001-01-01T00:00:00Z is outside the times watchbox can run at, 1970-01-01T00:00:01Z to 2262-01-01T00:00:00Z: the ABI carries times as nanoseconds since 1970 in 64 bits; give a time in that range, such as 2026-01-01T00:00:00Z"}},
		{"end past 2262", "start 2261-12-31\nduration 2d", []string{"3:1: the scenario would end at 2262-01-02T00:00:00Z, after 2262-01-01T00:00:00Z, the last time watchbox can run at (the ABI carries times as nanoseconds since 1970 in 64 bits); start earlier or run for less"}},
		{"bad duration", "duration 24", []string{"2:10: bad duration \"24\": give a positive duration such as 24h, 90m, 1h30m or 2d"}},
		{"zero duration", "duration 0s", []string{"2:10: bad duration \"0s\": give a positive duration such as 24h, 90m, 1h30m or 2d"}},
		// Hours used to get past the 10000-day cap of days: 228 years of
		// virtual time, a timeline of tens of GB.
		{"duration in hours over the cap", "duration 2000000h", []string{"2:10: duration \"2000000h\" is longer than the 10000d a scenario may run; give a shorter one"}},
		{"duration just over the cap", "duration 10000d1s", []string{"2:10: duration \"10000d1s\" is longer than the 10000d a scenario may run; give a shorter one"}},
		{"bad seed", "seed 4.2", []string{"2:6: bad seed \"4.2\": give a whole number"}},
		{"set without value", "set", []string{"2:5: set is missing an argument; usage: set KEY=VALUE"}},
		{"set not key=value", "set task_time", []string{"2:5: bad setting \"task_time\": write KEY=VALUE with no spaces, as in task_time=10s"}},
		{"set unknown key", "set task_tme=3s", []string{"2:5: unknown profile key \"task_tme\" (did you mean \"task_time\"?); keys are: KEYS"}},
		{"set bad duration", "set task_time=fast", []string{"2:5: profile key task_time takes a positive duration such as 15s or 2m, got \"fast\""}},
		{"set negative duration", "set task_time=-1s", []string{"2:5: profile key task_time takes a positive duration such as 15s or 2m, got \"-1s\""}},
		{"set bad int", "set refreshes_per_hour=-1", []string{"2:5: profile key refreshes_per_hour takes a whole number, 0 or more, got \"-1\""}},
		{"set bad int64", "set instruction_rate=0", []string{"2:5: profile key instruction_rate takes a positive whole number, got \"0\""}},
		{"set empty string", "set name=", []string{"2:5: profile key name needs a value"}},
		{"app missing dir", "app other", []string{"2:11: app is missing an argument; usage: app ALIAS DIR"}},
		{"app bad alias", "app 9lives dir", []string{"2:5: bad app alias \"9lives\": an alias is a letter followed by letters, digits, - or _"}},
		{"app declared twice", "app weather other", []string{"2:5: app \"weather\" is declared twice"}},
		{"app same bundle", "app other w", []string{"2:11: bundle \"w\" is already app \"weather\"; each app line names a different bundle"}},
		{"complication count", "complication weather", []string{"2:22: complication is missing an argument; usage: complication APP on|off"}},
		{"complication unknown app", "complication wether on", []string{"2:14: unknown app \"wether\" (did you mean \"weather\"?); apps are: weather"}},
		{"complication bad state", "complication weather yes", []string{"2:22: complication takes on or off, got \"yes\""}},
		{"complication twice", "complication weather on\ncomplication weather off", []string{"3:14: the complication of weather is set twice at the start; change it later with \"at TIME complication weather on|off\""}},
		{"serve too short", "serve GET /x", []string{"2:14: serve is missing an argument; usage: serve METHOD PATH STATUS [BODY] [delay=DURATION] [type=CONTENT-TYPE]"}},
		{"serve bad method", "serve get /x 200", []string{"2:7: unknown HTTP method \"get\" (did you mean \"GET\"?); methods are: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"}},
		{"serve bad path", "serve GET x 200", []string{"2:11: route path \"x\" must start with /"}},
		{"serve bad status", "serve GET /x 600", []string{"2:14: bad HTTP status \"600\": give a number from 100 to 599"}},
		{"serve bad delay", "serve GET /x 200 delay=soon", []string{"2:18: bad delay \"delay=soon\": give a duration such as 300ms or 2s"}},
		{"serve bad type", "serve GET /x 200 type=json", []string{"2:18: bad content type \"type=json\": give a media type such as type=application/json"}},
		{"serve two bodies", "serve GET /x 200 \"a\" \"b\"", []string{"2:22: unexpected \"b\": a route has one body; usage: serve METHOD PATH STATUS [BODY] [delay=DURATION] [type=CONTENT-TYPE]"}},
		{"serve missing body file", "serve GET /x 200 data/nope.json", []string{"2:18: route body file \"data/nope.json\" not found (looked for {dir}/data/nope.json; paths are relative to the scenario file)"}},
		{"serve body is a directory", "serve GET /x 200 data", []string{"2:18: route body file \"data\": the data file is a directory, not a regular file"}},
		{"serve route twice", "serve GET /x 200\nserve GET /x 404", []string{"3:11: route GET /x is served twice (first on line 2); change a route later with \"at TIME serve ...\""}},
		{"unknown directive", "lauch weather", []string{"2:1: unknown directive \"lauch\" (did you mean \"launch\"?); a line starts with one of: start, duration, profile, set, seed, app, complication, serve, at, between, expect, or \"#\" for a comment"}},
		{"verb without at", "wrist-down", []string{"2:1: \"wrist-down\" is an event verb: give it a time, as in \"at 09:00 wrist-down\""}},
		{"profile missing", "profile profiles/nope.json", []string{"2:9: profile file \"profiles/nope.json\" not found (looked for {dir}/profiles/nope.json); give \"default\" or a profile file"}},
		{"profile bad", "profile profiles/bad.json", []string{"2:9: bad profile file \"profiles/bad.json\": profile {dir}/profiles/bad.json: json: unknown field \"task_tim\" (did you mean \"task_time\"?) (keys: KEYS)"}},
		{"profile invalid after sets", "set task_warning=20s", []string{"2:5: the device profile is not valid after this line: profile watch-default: task_warning (20s) must be shorter than task_time (15s)"}},
		{"at alone", "at", []string{"2:4: at needs a time and a verb: at TIME VERB ...; times are HH:MM[:SS] (on the start day), +DURATION (after the previous event line), T+DURATION (after the start) or an RFC 3339 time"}},
		{"at without verb", "at 09:00", []string{"2:10: at needs a verb after the time: at TIME VERB ...; verbs are: VERBS"}},
		{"before start", "start 2026-01-01T08:00:00Z\nat 07:59 wrist-down", []string{"3:4: 07:59 is 1m before the scenario starts (2026-01-01T08:00:00Z); events run from start to start+duration"}},
		{"after end", "duration 1h\nat 01:00:01 wrist-down", []string{"3:4: 01:00:01 (2026-01-01T01:00:01Z) is after the scenario ends (2026-01-01T01:00:00Z, start + 1h); lengthen duration or move the event"}},
		{"relative after end", "duration 1h\nat 00:30 wrist-down\nat +31m wrist-down", []string{"4:4: +31m (2026-01-01T01:01:00Z) is after the scenario ends (2026-01-01T01:00:00Z, start + 1h); lengthen duration or move the event"}},
		{"bad relative", "at +soon wrist-down", []string{"2:4: bad relative time \"+soon\": give +DURATION, as in +90s, +2h or +1d; times are HH:MM[:SS] (on the start day), +DURATION (after the previous event line), T+DURATION (after the start) or an RFC 3339 time"}},
		{"negative relative", "at +-5m wrist-down", []string{"2:4: bad relative time \"+-5m\": give +DURATION, as in +90s, +2h or +1d; times are HH:MM[:SS] (on the start day), +DURATION (after the previous event line), T+DURATION (after the start) or an RFC 3339 time"}},
		{"backwards relative", "at -5m wrist-down", []string{"2:4: bad time \"-5m\": relative times count forward; times are HH:MM[:SS] (on the start day), +DURATION (after the previous event line), T+DURATION (after the start) or an RFC 3339 time"}},
		{"bad T+", "at T+x wrist-down", []string{"2:4: bad time \"T+x\": give T+DURATION, as in T+26h; times are HH:MM[:SS] (on the start day), +DURATION (after the previous event line), T+DURATION (after the start) or an RFC 3339 time"}},
		{"bad clock", "at 12:60 wrist-down", []string{"2:4: bad clock time \"12:60\": hours run 00-23, minutes and seconds 00-59"}},
		{"bad time", "at noon wrist-down", []string{"2:4: bad time \"noon\": times are HH:MM[:SS] (on the start day), +DURATION (after the previous event line), T+DURATION (after the start) or an RFC 3339 time"}},
		{"unknown verb", "at 09:00 wrist-upp", []string{"2:10: unknown verb \"wrist-upp\" (did you mean \"wrist-up\"?); verbs are: VERBS"}},
		{"directive as verb", "at 09:00 app x y", []string{"2:10: \"app\" cannot follow a time; events are: VERBS"}},
		{"launch without app", "at 09:00 launch", []string{"2:17: launch is missing an argument; usage: launch APP"}},
		{"launch extra", "at 09:00 launch weather now", []string{"2:25: unexpected \"now\"; usage: launch APP"}},
		{"wrist-down extra", "at 09:00 wrist-down weather", []string{"2:21: unexpected \"weather\"; usage: wrist-down"}},
		{"unknown app", "at 09:00 purge wether", []string{"2:16: unknown app \"wether\" (did you mean \"weather\"?); apps are: weather"}},
		{"phone kind", "at 09:00 phone userinfo weather {}", []string{"2:16: unknown phone data kind \"userinfo\" (did you mean \"user-info\"?); kinds are: user-info, context, message, complication"}},
		{"phone array", "at 09:00 phone context weather [1]", []string{"2:32: phone data must be a JSON object {...}, got an array"}},
		{"phone word", "at 09:00 phone context weather hello", []string{"2:32: phone data must be a JSON object {...} on the line or @FILE, got \"hello\""}},
		{"phone file missing", "at 09:00 phone context weather @data/nope.json", []string{"2:32: phone data file \"data/nope.json\" not found (looked for {dir}/data/nope.json; paths are relative to the scenario file)"}},
		{"phone file not JSON", "at 09:00 phone context weather @data/broken.json", []string{"2:32: phone data file \"data/broken.json\" is not JSON: unexpected end of JSON input"}},
		{"phone file not object", "at 09:00 phone context weather @data/list.json", []string{"2:32: phone data file \"data/list.json\" must hold a JSON object {...}"}},
		{"intent bad name", "at 09:00 intent weather \"Order Coffee\"", []string{"2:25: bad intent name \"Order Coffee\": a name is a letter or _ followed by letters, digits, _, - or ."}},
		{"trigger unknown kind", "at 09:00 trigger weather refresh", []string{"2:26: unknown task kind \"refresh\" (did you mean \"application-refresh\"?); kinds are: application-refresh, snapshot, url-session, watch-connectivity, bluetooth-alert, intent-did-run, relevant-shortcut"}},
		{"trigger snapshot reason", "at 09:00 trigger weather snapshot backgrounded", []string{"2:35: unknown snapshot reason \"backgrounded\" (did you mean \"app-backgrounded\"?); reasons are: app-backgrounded, app-scheduled, complication-update, prelaunch, return-to-default-state"}},
		{"trigger no detail", "at 09:00 trigger weather application-refresh now", []string{"2:46: unexpected \"now\": trigger application-refresh takes no detail (details: snapshot REASON, url-session SESSION, bluetooth-alert PERIPHERAL, intent-did-run INTENT)"}},
		{"trigger intent name", "at 09:00 trigger weather intent-did-run 9x", []string{"2:41: bad intent name \"9x\": a name is a letter or _ followed by letters, digits, _, - or ."}},
		{"expire unknown kind", "at 09:00 expire weather snap", []string{"2:25: unknown task kind \"snap\" (did you mean \"snapshot\"?); kinds are: application-refresh, snapshot, url-session, watch-connectivity, bluetooth-alert, intent-did-run, relevant-shortcut"}},
		{"tap empty action", "at 09:00 tap-notification weather action=", []string{"2:35: action= needs an action identifier, as in action=REPLY"}},
		{"tap extra", "at 09:00 tap-notification weather a b", []string{"2:37: unexpected \"b\"; usage: tap-notification APP [ID] [action=ACTION]"}},
		{"complication event bad state", "at 09:00 complication weather maybe", []string{"2:31: complication takes on or off, got \"maybe\""}},
		{"set event bad", "at 09:00 set task_time=0s", []string{"2:14: profile key task_time takes a positive duration such as 15s or 2m, got \"0s\""}},
		{"note without text", "at 09:00 note", []string{"2:15: note is missing an argument; usage: note TEXT"}},
		{"push missing file", "at 09:00 push weather push/nope.apns", []string{"2:23: push file \"push/nope.apns\" not found (looked for {dir}/push/nope.apns; paths are relative to the scenario file)"}},
		{"push bad file", "at 09:00 push weather push/bad.apns", []string{"2:23: push file \"push/bad.apns\": aps.badge must be a whole number, 0 or more (0 removes the badge), got \"one\" (line 2 column 20)"}},
		{"push over limit", "set push_payload_limit=100\nat 09:00 push weather push/big.apns", []string{"3:23: push file \"push/big.apns\": 230 bytes, over the 100-byte limit"}},
		{"push is a directory", "at 09:00 push weather push", []string{"2:23: push file \"push\": the push file is a directory, not a regular file"}},
		{"push missing file arg", "at 09:00 push weather", []string{"2:23: push is missing an argument; usage: push APP FILE.apns"}},
		{"phone link bad word", "at 09:00 phone reachable maybe", []string{"2:26: phone reachable takes on or off, got \"maybe\""}},
		{"phone link extra", "at 09:00 phone paired off weather", []string{"2:27: unexpected \"weather\"; usage: phone user-info|context|message|complication APP {JSON}|@FILE, or phone reachable|paired on|off"}},
		{"phone missing payload", "at 09:00 phone context weather", []string{"2:32: phone is missing an argument; usage: phone user-info|context|message|complication APP {JSON}|@FILE, or phone reachable|paired on|off"}},
		{"bluetooth-alert extra", "at 09:00 bluetooth-alert weather a b", []string{"2:36: unexpected \"b\"; usage: bluetooth-alert APP [PERIPHERAL]"}},
		{"peripheral missing value", "at 09:00 peripheral strap 180D/2A37", []string{"2:37: peripheral is missing an argument; usage: peripheral NAME SERVICE/CHARACTERISTIC VALUE|@FILE, or peripheral NAME off"}},
		{"peripheral not off", "at 09:00 peripheral strap gone", []string{"2:27: unexpected \"gone\"; usage: peripheral NAME SERVICE/CHARACTERISTIC VALUE|@FILE, or peripheral NAME off"}},
		{"peripheral bad uuid", "at 09:00 peripheral strap heart/2A37 72", []string{"2:27: \"heart\" is not a Bluetooth UUID: use 4 or 8 hex digits (180D) or the 36-character form"}},
		{"peripheral no slash", "at 09:00 peripheral strap 2A37 72", []string{"2:27: \"2A37\" is not SERVICE/CHARACTERISTIC (as in 180D/2A37)"}},
		{"peripheral long name", "at 09:00 peripheral " + strings.Repeat("n", 65) + " off", []string{"2:21: the peripheral name is 65 bytes; at most 64"}},
		{"peripheral missing samples", "at 09:00 peripheral strap 180D/2A37 @data/nope.csv", []string{"2:37: samples file \"data/nope.csv\" not found (looked for {dir}/data/nope.csv; paths are relative to the scenario file)"}},
		{"peripheral bad samples", "at 09:00 peripheral strap 180D/2A37 @data/bad-hr.csv", []string{"2:37: samples file \"data/bad-hr.csv\": data/bad-hr.csv:3: time 0 is not after the previous sample's (line 2); samples must be in strictly increasing time order"}},
		{"intent missing name", "at 09:00 intent weather", []string{"2:25: intent is missing an argument; usage: intent APP NAME [{JSON}|@FILE]"}},
		{"trigger missing kind", "at 09:00 trigger weather", []string{"2:26: trigger is missing an argument; usage: trigger APP KIND [DETAIL]"}},
		{"expire missing app", "at 09:00 expire", []string{"2:17: expire is missing an argument; usage: expire APP [KIND]"}},
		{"tap missing app", "at 09:00 tap-notification", []string{"2:27: tap-notification is missing an argument; usage: tap-notification APP [ID] [action=ACTION]"}},
		{"complication missing state", "at 09:00 complication weather", []string{"2:31: complication is missing an argument; usage: complication APP on|off"}},
		{"set event missing", "at 09:00 set", []string{"2:14: set is missing an argument; usage: set KEY=VALUE"}},
		{"serve event short", "at 09:00 serve GET", []string{"2:20: serve is missing an argument; usage: serve METHOD PATH STATUS [BODY] [delay=DURATION] [type=CONTENT-TYPE]"}},
		{"wrist-up extra", "at 09:00 wrist-up weather now", []string{"2:27: unexpected \"now\"; usage: wrist-up [APP]"}},
		{"days with bad rest", "at T+1dx wrist-down", []string{"2:4: bad time \"T+1dx\": give T+DURATION, as in T+26h; times are TIMES"}},
		{"days with sign", "at T+1d-5m wrist-down", []string{"2:4: bad time \"T+1d-5m\": give T+DURATION, as in T+26h; times are TIMES"}},
		{"too many days", "at T+99999d wrist-down", []string{"2:4: bad time \"T+99999d\": give T+DURATION, as in T+26h; times are TIMES"}},
		{"duration plus sign", "duration +5h", []string{"2:10: bad duration \"+5h\": give a positive duration such as 24h, 90m, 1h30m or 2d"}},
		{"trigger unknown kind and app", "at 09:00 trigger wether refresh", []string{"2:18: unknown app \"wether\" (did you mean \"weather\"?); apps are: weather", "2:25: unknown task kind \"refresh\" (did you mean \"application-refresh\"?); kinds are: application-refresh, snapshot, url-session, watch-connectivity, bluetooth-alert, intent-did-run, relevant-shortcut"}},
		{"time and verb both bad", "at 9am lanch weather", []string{"2:4: bad time \"9am\": times are TIMES", "2:8: unknown verb \"lanch\" (did you mean \"launch\"?); verbs are: VERBS"}},
	}
	replacer := func(dir string) *strings.Replacer {
		return strings.NewReplacer("{dir}", dir, "KEYS", strings.Join(profile.Keys(), ", "), "VERBS", strings.Join(verbNames(), ", "), "TIMES", timeForms)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parse(t, "app weather w\n"+tt.src+"\n", Options{})
			if err == nil {
				t.Fatalf("no error; events %+v", s.Events)
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("error %T %v", err, err)
			}
			r := replacer(filepath.Dir(es[0].File))
			var got, want []string
			for _, e := range es {
				got = append(got, fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg))
				if !strings.HasPrefix(e.Error(), e.File+":") {
					t.Errorf("%q does not start with the file name", e.Error())
				}
			}
			for _, w := range tt.want {
				want = append(want, r.Replace(w))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("errors\n got %q\nwant %q", got, want)
			}
		})
	}
}

func TestErrorTokens(t *testing.T) {
	_, err := parse(t, "app weather w\nat 09:00 purge wether\nat 09:00 wrist-down extra\n", Options{})
	es := err.(Errors)
	if len(es) != 2 || es[0].Token != "wether" || es[1].Token != "extra" {
		t.Errorf("tokens: %+v", es)
	}
}

func TestNoApps(t *testing.T) {
	_, err := parse(t, "# nothing\n", Options{})
	if err == nil || !strings.HasSuffix(err.Error(), "s.scenario: no app line; a scenario runs at least one app: app ALIAS DIR") {
		t.Errorf("got %v", err)
	}
	_, err = parse(t, "at 09:00 launch weather\n", Options{})
	es, _ := err.(Errors)
	if len(es) != 2 || es[1].Msg != `unknown app "weather": declare it with "app weather DIR"` || es[0].Line != 0 {
		t.Errorf("got %v", err)
	}
}

// TestOversizedPhonePayload: a phone payload that cannot fit in one event
// is refused when the scenario is read, as an oversized push file is, not
// in the middle of the run.
func TestOversizedPhonePayload(t *testing.T) {
	t.Parallel()
	big := `{"x":"` + strings.Repeat("a", MaxPayload) + `"}`
	_, err := parse(t, "app weather w\nat 09:00 phone context weather "+big+"\n", Options{})
	want := fmt.Sprintf("2:32: phone data is %d bytes, over the %d bytes that fit in one event", len(big), MaxPayload)
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 || !strings.HasPrefix(fmt.Sprintf("%d:%d: %s", es[0].Line, es[0].Column, es[0].Msg), want) {
		t.Errorf("got %v, want %q", err, want)
	}
	if _, err := parse(t, "app weather w\nat 09:00 phone context weather {\"x\":\"a\"}\n", Options{}); err != nil {
		t.Errorf("a small payload: %v", err)
	}
}
