package drive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/internal/suggest"
)

// stepNames are the step words, for "did you mean" hints.
var stepNames = []string{"launch", "wrist-up", "open", "wrist-down", "background", "suspend", "purge", "trigger", "expire", "sleep", "status", "why", "quit",
	"both-buttons", "other-workout", "motion", "lap", "marker", "segment", "headphones", "audio-interruption", "route", "heart-rate", "crown", "fire-alarm", "suppress-session", "phone"}

// DidYouMean returns ` (did you mean "NAME"?)` for the name in names
// closest to name, or "" when none is close, for error messages.
func DidYouMean(name string, names []string) string { return suggest.Hint(name, names) }

// StepHelp lists the steps ParseSteps reads, for usage messages.
const StepHelp = "launch, wrist-up, wrist-down, background, suspend, purge, trigger TASK-KIND [DETAIL], expire, sleep DURATION, status, why, quit" +
	", both-buttons, other-workout, motion paused|resumed, lap, marker, segment, headphones on|off, audio-interruption began|ended, route FILE.gpx, heart-rate FILE, crown, fire-alarm, suppress-session, phone reachable|paired on|off" +
	"; a step that acts on an app may name it after the step (bundle id, its last part, or the bundle directory's name)," +
	" as in \"launch weather\" or \"trigger hello snapshot\"; without one it acts on the current app"

// appSteps are the steps that act on an app and take an optional app.
var appSteps = map[Kind]bool{
	Launch: true, Open: true, WristUp: true, WristDown: true, Background: true,
	Suspend: true, Purge: true, Status: true, Why: true, Expire: true, BothButtons: true, OtherWorkout: true,
	Lap: true, Marker: true, Segment: true,
	Crown: true, FireAlarm: true, SuppressSession: true,
}

// wordSteps are the steps that take an optional app and then one word
// from a fixed pair: the word that sets On, and the other.
var wordSteps = map[Kind][2]string{
	Motion: {"paused", "resumed"}, AudioInterruption: {"began", "ended"}, Headphones: {"on", "off"},
}

func isTaskKind(name string) bool {
	_, err := abi.ParseTaskKind(name)
	return err == nil
}

// ParseSteps parses `watchbox run`'s steps: separated by commas,
// semicolons or newlines, "#" starting a comment to the end of the line.
// Apps are not looked up here (see Driver.Check).
func ParseSteps(s string) ([]Action, error) {
	var steps []Action
	for _, part := range SplitSteps(s) {
		st, err := parseStep(part)
		if err != nil {
			return nil, err
		}
		if st != nil {
			steps = append(steps, *st)
		}
	}
	return steps, nil
}

// SplitSteps returns the text of each of `watchbox run`'s steps in s, as
// ParseSteps reads them: separated by commas, semicolons or newlines,
// comments dropped, each as written (blank ones included).
func SplitSteps(s string) []string {
	var parts []string
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		parts = append(parts, strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' })...)
	}
	return parts
}

// parseStep parses one step; nil for an empty one.
func parseStep(part string) (*Action, error) {
	words := strings.Fields(part)
	if len(words) == 0 {
		return nil, nil
	}
	name := strings.ToLower(words[0])
	st := Action{Kind: Kind(name)}
	switch {
	case name == "trigger" && (len(words) == 2 || len(words) == 3 && !isTaskKind(words[1])) && words[len(words)-1] == "expire":
		// trigger [APP] expire, as `watchbox trigger expire` sends it
		st.Kind = Expire
		if len(words) == 3 {
			st.App = words[1]
		}
	case name == "trigger":
		// trigger [APP] TASK-KIND [DETAIL]
		rest := words[1:]
		if len(rest) > 0 && !isTaskKind(rest[0]) {
			st.App, rest = rest[0], rest[1:]
		}
		if len(rest) == 0 || len(rest) > 2 || !isTaskKind(rest[0]) {
			return nil, fmt.Errorf("step %q needs a task kind, after the app if any: %s", strings.TrimSpace(part), strings.Join(abi.TaskKindNames(), ", "))
		}
		st.Task, _ = abi.ParseTaskKind(rest[0])
		if len(rest) == 2 {
			if err := SetDetail(&st, rest[1]); err != nil {
				return nil, fmt.Errorf("step %q: %v", strings.TrimSpace(part), err)
			}
		}
	case name == "phone":
		// phone reachable|paired on|off: the runtime's link to the phone
		if len(words) != 3 || words[1] != "reachable" && words[1] != "paired" || words[2] != "on" && words[2] != "off" {
			return nil, fmt.Errorf("step %q needs reachable or paired, then on or off, as in \"phone reachable off\" (phone data comes with `watchbox phone KIND JSON`)", strings.TrimSpace(part))
		}
		st.Kind, st.Link, st.On = PhoneLink, words[1], words[2] == "on"
	case appSteps[st.Kind]:
		switch len(words) {
		case 1:
		case 2:
			st.App = words[1]
		default:
			return nil, fmt.Errorf("step %q takes at most one argument, the app it acts on", strings.TrimSpace(part))
		}
	case wordSteps[st.Kind] != [2]string{}:
		// motion [APP] paused|resumed, audio-interruption [APP] began|ended, headphones on|off
		w := wordSteps[st.Kind]
		rest := words[1:]
		if len(rest) == 2 && st.Kind != Headphones {
			st.App, rest = rest[0], rest[1:]
		}
		if len(rest) != 1 || rest[0] != w[0] && rest[0] != w[1] {
			return nil, fmt.Errorf("step %q needs %s or %s", strings.TrimSpace(part), w[0], w[1])
		}
		st.On = rest[0] == w[0]
	case st.Kind == Route || st.Kind == HeartRate:
		// route [APP] FILE.gpx, heart-rate [APP] FILE
		rest := words[1:]
		if len(rest) == 2 {
			st.App, rest = rest[0], rest[1:]
		}
		if len(rest) != 1 {
			return nil, fmt.Errorf("step %q needs a file, after the app if any", strings.TrimSpace(part))
		}
		st.File = rest[0]
	case name == "quit":
		if len(words) > 1 {
			return nil, fmt.Errorf("step %q takes no argument", part)
		}
	case name == "sleep" || name == "wait":
		if len(words) != 2 {
			return nil, fmt.Errorf("step %q needs a duration, e.g. \"sleep 500ms\"", strings.TrimSpace(part))
		}
		d, err := time.ParseDuration(words[1])
		if err != nil || d < 0 {
			return nil, fmt.Errorf("step %q: %q is not a duration such as 500ms or 2m", strings.TrimSpace(part), words[1])
		}
		st.Kind, st.Duration = Sleep, d
	default:
		return nil, fmt.Errorf("unknown step %q%s; steps are: %s", words[0], suggest.Hint(words[0], stepNames), StepHelp)
	}
	return &st, nil
}

// SetDetail sets the detail word of a Trigger action of a.Task, as
// `watchbox trigger` and run's trigger step take it: a snapshot reason
// (app-backgrounded, ...), a URL session identifier or a Bluetooth
// peripheral; other kinds take none.
func SetDetail(a *Action, detail string) error {
	if strings.ContainsFunc(detail, unicode.IsSpace) {
		return fmt.Errorf("the detail %q has a space; it is one word (watchbox bluetooth-alert takes a peripheral name with spaces)", detail)
	}
	switch a.Task {
	case abi.TaskSnapshot:
		r, err := abi.ParseSnapshotReason(detail)
		if err != nil {
			return fmt.Errorf("%q is not a snapshot reason: %s", detail, strings.Join(abi.SnapshotReasonNames(), ", "))
		}
		a.Reason = r
	case abi.TaskURLSession:
		if !abi.ValidSessionID(detail) {
			return fmt.Errorf("%q is not a URL session identifier: use letters, digits, '-', '_' and '.', at most 128 bytes", detail)
		}
		a.Session = detail
	case abi.TaskBluetoothAlert:
		a.Peripheral = detail
	default:
		return fmt.Errorf("%s tasks take no detail; snapshot takes a reason, url-session an identifier, bluetooth-alert a peripheral",
			abi.TaskKindName(a.Task))
	}
	return nil
}

// CheckPayload checks that b is a JSON object, as WatchConnectivity's
// dictionaries are.
func CheckPayload(b []byte) error {
	if !json.Valid(b) {
		var v any
		err := json.Unmarshal(b, &v)
		return fmt.Errorf("the payload is not JSON: %v", err)
	}
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return fmt.Errorf("the payload must be a JSON object {...}, got %s", truncate(string(t), 40))
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
