package drive

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/scenario"
)

// TestParseSteps parses every form of step into its Action.
func TestParseSteps(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Action
	}{
		{"launch", Action{Kind: Launch}},
		{"OPEN weather", Action{Kind: Open, App: "weather"}},
		{"wrist-up hello", Action{Kind: WristUp, App: "hello"}},
		{"status", Action{Kind: Status}},
		{"why hello", Action{Kind: Why, App: "hello"}},
		{"expire", Action{Kind: Expire}},
		{"trigger expire", Action{Kind: Expire}},
		{"trigger hello expire", Action{Kind: Expire, App: "hello"}},
		{"trigger application-refresh", Action{Kind: Trigger, Task: abi.TaskApplicationRefresh}},
		{"trigger hello snapshot", Action{Kind: Trigger, App: "hello", Task: abi.TaskSnapshot}},
		{"trigger snapshot prelaunch", Action{Kind: Trigger, Task: abi.TaskSnapshot, Reason: abi.SnapshotPrelaunch}},
		{"trigger url-session dl.1", Action{Kind: Trigger, Task: abi.TaskURLSession, Session: "dl.1"}},
		{"trigger w bluetooth-alert band", Action{Kind: Trigger, App: "w", Task: abi.TaskBluetoothAlert, Peripheral: "band"}},
		{"sleep 500ms", Action{Kind: Sleep, Duration: 500 * time.Millisecond}},
		{"wait 2m", Action{Kind: Sleep, Duration: 2 * time.Minute}},
		{"quit", Action{Kind: Quit}},
	} {
		got, err := ParseSteps(c.in)
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], c.want) {
			t.Errorf("ParseSteps(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	got, err := ParseSteps("launch, wrist-down; background # a comment, purge\n\n suspend ,")
	if err != nil || len(got) != 4 || got[3].Kind != Suspend {
		t.Errorf("a list of steps = %+v, %v", got, err)
	}
}

// TestParseStepsErrors: bad steps are refused with what is allowed.
func TestParseStepsErrors(t *testing.T) {
	for in, want := range map[string]string{
		"jump":                          `unknown step "jump"; steps are: launch, wrist-up`,
		"backgrund":                     `unknown step "backgrund" (did you mean "background"?); steps are:`,
		"trigger":                       `step "trigger" needs a task kind, after the app if any: application-refresh, snapshot`,
		"trigger hello refresh":         `step "trigger hello refresh" needs a task kind`,
		"trigger snapshot later":        `step "trigger snapshot later": "later" is not a snapshot reason: app-backgrounded, app-scheduled`,
		"trigger url-session a/b":       `"a/b" is not a URL session identifier`,
		"trigger application-refresh x": `application-refresh tasks take no detail`,
		"launch a b":                    `step "launch a b" takes at most one argument, the app it acts on`,
		"quit now":                      `step "quit now" takes no argument`,
		"sleep":                         `step "sleep" needs a duration, e.g. "sleep 500ms"`,
		"sleep -1s":                     `step "sleep -1s": "-1s" is not a duration such as 500ms or 2m`,
	} {
		_, err := ParseSteps(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSteps(%q) = %v, want an error with %q", in, err, want)
		}
	}
}

// TestCheckPayload: phone data is a JSON object.
func TestCheckPayload(t *testing.T) {
	if err := CheckPayload([]byte(` {"a": 1}`)); err != nil {
		t.Errorf("an object: %v", err)
	}
	if err := CheckPayload([]byte(`[1]`)); err == nil || !strings.Contains(err.Error(), "must be a JSON object {...}, got [1]") {
		t.Errorf("an array: %v", err)
	}
	if err := CheckPayload([]byte(`{`)); err == nil || !strings.Contains(err.Error(), "the payload is not JSON") {
		t.Errorf("not JSON: %v", err)
	}
}

// TestScenarioVerbsAreKinds: FromEvent turns a scenario verb into the kind
// of the same name, so every verb must be one.
func TestScenarioVerbsAreKinds(t *testing.T) {
	kinds := map[Kind]bool{}
	for _, k := range Kinds() {
		kinds[k] = true
	}
	for _, v := range []scenario.Verb{
		scenario.VerbLaunch, scenario.VerbWristUp, scenario.VerbWristDown, scenario.VerbBackground, scenario.VerbSuspend,
		scenario.VerbPurge, scenario.VerbPush, scenario.VerbPhone, scenario.VerbPhoneLink, scenario.VerbBluetoothAlert, scenario.VerbIntent,
		scenario.VerbRelevantShortcut, scenario.VerbTrigger, scenario.VerbExpire, scenario.VerbTapNotification,
		scenario.VerbComplication, scenario.VerbServe, scenario.VerbSet, scenario.VerbNote,
	} {
		if !kinds[Kind(v)] {
			t.Errorf("scenario verb %q is no action kind", v)
		}
	}
}
