package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
)

// TestExpectLines checks what each form of expect line parses to: its
// time (none, an at time with its precision, a window), its app, its
// subject and arguments.
func TestExpectLines(t *testing.T) {
	t.Parallel()
	day := func(h, m, s int) time.Time { return time.Date(2026, 1, 1, h, m, s, 0, time.UTC) }
	text := "hello"
	tests := []struct {
		line string
		want Expect // Line, Column and Text are filled in
	}{
		{"expect weather task application-refresh", Expect{App: "weather", What: ExpectTask, Task: abi.TaskApplicationRefresh}},
		{"at 09:30 expect weather task snapshot", Expect{From: day(9, 30, 0), To: day(9, 30, 0), Precision: time.Minute, App: "weather", What: ExpectTask, Task: abi.TaskSnapshot}},
		{"at 09:30:05 expect no weather task snapshot", Expect{From: day(9, 30, 5), To: day(9, 30, 5), Precision: time.Second, Not: true, App: "weather", What: ExpectTask, Task: abi.TaskSnapshot}},
		{"between 09:00 and 10:00 expect weather decision refresh.hourly_budget", Expect{From: day(9, 0, 0), To: day(10, 0, 0), App: "weather", What: ExpectDecision, Rule: "refresh.hourly_budget"}},
		{"between 09:00 and +90m expect decision task.deadline", Expect{From: day(9, 0, 0), To: day(10, 30, 0), What: ExpectDecision, Rule: "task.deadline"}},
		{"expect no decision task.deadline", Expect{Not: true, What: ExpectDecision, Rule: "task.deadline"}},
		{"at T+2h expect messages state suspended", Expect{From: day(2, 0, 0), To: day(2, 0, 0), Precision: time.Second, App: "messages", What: ExpectState, State: abi.StateSuspended}},
		{"expect weather state not-running", Expect{App: "weather", What: ExpectState, State: abi.StateNotRunning}},
		{"expect weather state not_running", Expect{App: "weather", What: ExpectState, State: abi.StateNotRunning}},
		{"expect no kill", Expect{Not: true, What: ExpectKill}},
		{"expect no messages kill", Expect{Not: true, App: "messages", What: ExpectKill}},
		{"expect messages file state.json {\"unread\": 2}  # a comment", Expect{App: "messages", What: ExpectFile, Path: "state.json", JSON: json.RawMessage(`{"unread":2}`)}},
		{"expect messages file /Documents/a.txt \"hello\"", Expect{App: "messages", What: ExpectFile, Path: "Documents/a.txt", Content: &text}},
		{"expect no messages file state.json", Expect{Not: true, App: "messages", What: ExpectFile, Path: "state.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			t.Parallel()
			s := mustParse(t, tt.line+"\n")
			if len(s.Expects) != 1 || len(s.Events) != 0 {
				t.Fatalf("%d expects, %d events", len(s.Expects), len(s.Events))
			}
			got := s.Expects[0]
			want := tt.want
			want.Line, want.Column = 3, 1
			want.Text = strings.TrimSpace(strings.Split(tt.line, "  #")[0])
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestExpectTimes: an at expect line moves the base of relative times as
// an event line does; a window's second time counts from its first and
// moves nothing; Window gives an at time's span.
func TestExpectTimes(t *testing.T) {
	t.Parallel()
	s := mustParse(t, "at 08:00 launch weather\nat +1h expect weather state active\nbetween +10m and +5m expect no kill\nat +30m wrist-down\n")
	if got := s.Expects[0].From; !got.Equal(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("at +1h is %v", got)
	}
	w := s.Expects[1]
	if !w.From.Equal(time.Date(2026, 1, 1, 9, 10, 0, 0, time.UTC)) || !w.To.Equal(time.Date(2026, 1, 1, 9, 15, 0, 0, time.UTC)) {
		t.Errorf("window %v to %v", w.From, w.To)
	}
	if got := s.Events[1].At; !got.Equal(time.Date(2026, 1, 1, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("the event after the window is at %v; a window must not move the base", got)
	}
	from, to, ok := s.Expects[0].Window()
	if !ok || !from.Equal(s.Expects[0].From) || to.Sub(from) != time.Second-time.Nanosecond {
		t.Errorf("Window of at +1h: %v %v %v", from, to, ok)
	}
	if _, _, ok := (Expect{}).Window(); ok {
		t.Error("an expectation without a time has a window")
	}
}

// TestExpectErrors checks the problems an expect line can have: each
// with its place, and a suggestion for near misses.
func TestExpectErrors(t *testing.T) {
	t.Parallel()
	rules := strings.Join(RuleIDs(), ", ")
	tests := []struct {
		src  string
		want []string
	}{
		{"expect", []string{"2:8: expect needs what to expect: task, decision, state, kill, file"}},
		{"expect no", []string{"2:11: expect needs what to expect: task, decision, state, kill, file"}},
		{"expect weather", []string{"2:16: expect weather needs what to expect: task, decision, state, kill, file"}},
		{"expect wether task snapshot", []string{"2:8: unknown app \"wether\" (did you mean \"weather\"?); apps are: weather"}},
		{"expect weather tsk snapshot", []string{"2:16: unknown expectation \"tsk\" (did you mean \"task\"?); expect one of: task, decision, state, kill, file"}},
		{"expect kil", []string{"2:8: unknown expectation \"kil\" (did you mean \"kill\"?); expect one of: task, decision, state, kill, file"}},
		{"expect weather task refresh", []string{"2:21: unknown task kind \"refresh\" (did you mean \"application-refresh\"?); kinds are: application-refresh, snapshot, url-session, watch-connectivity, bluetooth-alert, intent-did-run, relevant-shortcut"}},
		{"expect task snapshot", []string{"2:8: expect task needs an app before \"task\"; usage: expect [no] APP task KIND"}},
		{"expect weather decision refresh.hourly_budgt", []string{"2:25: unknown rule id \"refresh.hourly_budgt\" (did you mean \"refresh.hourly_budget\"?); rules are: " + rules}},
		{"expect no weather decision task.killed", []string{"2:28: unknown rule id \"task.killed\" (a kill at a task's deadline is task.deadline; for any kill write \"expect [no] [APP] kill\"); rules are: " + rules}},
		{"expect weather state suspnded", []string{"2:22: unknown state \"suspnded\" (did you mean \"suspended\"?); states are: not-running, inactive, active, background, suspended"}},
		{"expect weather kill now", []string{"2:21: unexpected \"now\"; usage: expect [no] [APP] kill"}},
		{"expect weather file a.json", []string{"2:28: file is missing an argument; usage: expect APP file PATH {JSON}|\"TEXT\", or expect no APP file PATH"}},
		{"expect weather file ../a.json {}", []string{"2:21: bad container path \"../a.json\": give a clean path inside the app's data container, as in Documents/last.json"}},
		{"expect weather file a.json 21", []string{"2:28: the expected content must be JSON ({...} or [...], compared structurally) or a quoted string (compared exactly), got \"21\""}},
		{"at 09:00 expect weather file a.json {}", []string{"2:1: file expectations are checked when the run ends: write \"expect weather file ...\" without a time"}},
		{"between 10:00 and 09:00 expect no kill", []string{"2:19: the window ends (09:00) before it starts (10:00); write the earlier time first"}},
		{"between 10:00 expect no kill", []string{"2:15: unexpected \"expect\": write between TIME and TIME expect ..."}},
		{"between 10:00 and 11:00", []string{"2:25: between TIME and TIME needs an expectation after it: ... expect [no] [APP] WHAT ..."}},
		{"duration 1h\nat 02:00 expect no kill", []string{"3:4: 02:00 (2026-01-01T02:00:00Z) is outside the scenario (2026-01-01T00:00:00Z to 2026-01-01T01:00:00Z); expectations cover start to start+duration"}},
		{"at 09:00 expct weather state active", []string{"2:10: unknown verb \"expct\" (did you mean \"expect\"?); verbs are: " + strings.Join(verbNames(), ", ")}},
		{"expct no kill", []string{"2:1: unknown directive \"expct\" (did you mean \"expect\"?); a line starts with one of: start, duration, profile, set, seed, app, complication, serve, at, between, expect, or \"#\" for a comment"}},
		{"expect tsk snapshot\nexpect weather state on", []string{
			"2:8: unknown expectation \"tsk\" (did you mean \"task\"?); expect one of: task, decision, state, kill, file",
			"3:22: unknown state \"on\"; states are: not-running, inactive, active, background, suspended"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			_, err := parse(t, "app weather w\n"+tt.src+"\n", Options{})
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("error %T %v", err, err)
			}
			var got []string
			for _, e := range es {
				got = append(got, fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("errors\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
