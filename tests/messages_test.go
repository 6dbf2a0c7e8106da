package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The messages sample app (apps/messages) under `watchbox simulate`: phone
// data and notifications, its unread count, and the count surviving a
// purge. Each test writes a small scenario in a temporary directory and
// checks the timeline, in order.

// messagesScenario writes a scenario running apps/messages from 08:00 for
// 3 h with the given event lines, and the extra files (name to content)
// next to it; it returns the scenario's path.
func messagesScenario(t *testing.T, files map[string]string, events ...string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		writeFile(t, dir, name, []byte(data))
	}
	head := []string{
		"start    2026-06-01T08:00:00Z",
		"duration 3h",
		"app messages " + filepath.Join(repoRoot, "apps", "messages"),
		"complication messages on",
	}
	return writeFile(t, dir, "messages.scenario", []byte(strings.Join(append(head, events...), "\n")+"\n"))
}

// tl is an expected timeline line: one that starts with at (a time, or the
// start of one: "08:20:00." leaves the fraction free, since it is the CPU
// time of earlier calls) and contains text, once runs of spaces are
// collapsed to one. A "…" in text stands for anything (task ids, byte
// counts and durations, which depend on what else the system did).
type tl struct{ at, text string }

// timelineInOrder checks that the timeline has a line for each of want, in
// that order.
func timelineInOrder(t *testing.T, r result, want ...tl) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(r.stdout, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	i := 0
	for _, w := range want {
		for i < len(lines) && !(strings.HasPrefix(lines[i], w.at) && containsInOrder(lines[i], strings.Split(w.text, "…"))) {
			i++
		}
		if i == len(lines) {
			t.Fatalf("the timeline lacks %q at %s (after the lines expected before it)\n%s", w.text, w.at, r)
		}
		i++
	}
}

// containsInOrder reports whether s contains each of parts, in order.
func containsInOrder(s string, parts []string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// timelineLacks checks that no timeline line contains any of texts.
func timelineLacks(t *testing.T, r result, texts ...string) {
	t.Helper()
	for _, l := range strings.Split(r.stdout, "\n") {
		l = strings.Join(strings.Fields(l), " ")
		for _, s := range texts {
			if strings.Contains(l, s) {
				t.Errorf("the timeline has %q: %q\n%s", s, l, r)
			}
		}
	}
}

const messagesSummary = "simulated 08:00:00.000 to 11:00:00.000: 1 app(s), 0 failed call(s)"

// TestMessagesPhoneDataInBackground: user info sent while the app is in the
// background is delivered within data_delivery_delay with a
// watch-connectivity task; the message is unread, the complication says so,
// and the task asks for a snapshot because the count changed. Later data
// that does not change the count (a context, a bad payload) completes its
// task without a snapshot.
func TestMessagesPhoneDataInBackground(t *testing.T) {
	scen := messagesScenario(t, nil,
		"at 08:00 launch messages",
		"at 08:05 background messages",
		`at 08:10 phone user-info messages {"from": "Ann", "text": "Lunch at 12?"}`,
		`at 08:30 phone context messages {"contacts": ["Ann", "Bob", "Chloé"]}`,
		`at 08:31 phone user-info messages {"from": 3, "text": "not a sender"}`,
	)
	r := watchbox(t, nil, "simulate", scen)
	expect(t, r, exitOK, messagesSummary)
	timelineInOrder(t, r,
		tl{"08:00:00.", "log: launched: no saved state"},
		tl{"08:10:00.000", "system: data delivery delayed to 08:20: the app is in the background"},
		tl{"08:20:00.", "log: new message (user info): Ann: Lunch at 12?"},
		tl{"08:20:00.", "system: complication updated: 1 unread · Ann: Lunch at 12? [complication.updated]"},
		tl{"08:20:00.", "log: unread: 1"},
		tl{"08:20:00.", "dev.watchbox.messages phone_user_info ok background"},
		tl{"08:20:00.", "log: watch_connectivity task …: 1 unread, snapshot true"},
		tl{"08:20:00.", "system: watch_connectivity task … completed after …(snapshot: true)"},
		tl{"08:20:00.", "[snapshot.task_completion]"},
		tl{"08:20:00.", "background_tasks ok background"},
		// the context and the bad user info wait for the next delivery
		tl{"08:40:00.", "log: context: 3 contact(s)"},
		tl{"08:40:00.", "phone_application_context ok background"},
		tl{"08:40:00.", "warn: bad user info (… bytes): json: cannot unmarshal number"},
		tl{"08:40:00.", "phone_user_info ok background"},
		tl{"08:40:00.", "log: watch_connectivity task …: 1 unread, snapshot false"},
		tl{"08:40:00.", "system: watch_connectivity task … completed after …(snapshot: false) [task.completed]"},
	)
	// nothing reaches the app before the delivery
	timelineInOrder(t, r, tl{"08:10:00.000", "> phone"}, tl{"08:20:00.", "phone_user_info"})
	timelineLacks(t, r, "unread: 2", "read 1 message", "08:10:00.000 dev.watchbox.messages log:")
}

// TestMessagesWhileFrontmost: a message or notification arriving while the
// app is active is shown at once and not counted; one arriving while the
// wrist is down (the app frontmost but inactive) is unread until the wrist
// goes up again.
func TestMessagesWhileFrontmost(t *testing.T) {
	alert := `{"Simulator Target Bundle": "dev.watchbox.messages",
 "aps": {"alert": {"title": "Ann", "body": "Are you there?"}, "sound": "default"},
 "from": "Ann", "text": "Are you there?"}`
	scen := messagesScenario(t, map[string]string{"alert.apns": alert},
		"at 08:00 launch messages",
		`at 08:01 phone message messages {"from": "Bob", "text": "On my way"}`,
		"at 08:02 push messages alert.apns",
		"at 08:03 wrist-down",
		`at 08:04 phone message messages {"from": "Bob", "text": "Here"}`,
		"at 08:05 wrist-up messages",
	)
	r := watchbox(t, nil, "simulate", scen)
	expect(t, r, exitOK, messagesSummary)
	timelineInOrder(t, r,
		tl{"08:01:00.000", "system: data delivery runs at 08:01: the app is frontmost"},
		tl{"08:01:00.", "log: shown: Bob: On my way"},
		tl{"08:01:00.", "phone_message ok active"},
		tl{"08:02:00.", "log: shown: Ann: Are you there?"},
		tl{"08:02:00.", "notification_will_present ok active"},
		tl{"08:03:00.000", "will_resign_active"},
		tl{"08:04:00.", "log: new message (phone message): Bob: Here"},
		tl{"08:04:00.", "system: complication updated: 1 unread · Bob: Here"},
		tl{"08:04:00.", "log: unread: 1"},
		tl{"08:04:00.", "phone_message ok inactive"},
		tl{"08:05:00.", "log: read 1 message(s)"},
		tl{"08:05:00.", `system: the phone received 11 bytes: {"read": 1} [phone.received]`}, // the read receipt
		tl{"08:05:00.", "system: complication updated: no unread"},
		tl{"08:05:00.", "log: unread: 0"},
		tl{"08:05:00.", "did_become_active ok active"},
	)
	// the messages shown while active changed no count: the first count
	// logged is the one of 08:04
	if i := strings.Index(r.stdout, "log: unread:"); i < 0 || !strings.HasPrefix(r.stdout[strings.LastIndex(r.stdout[:i], "\n")+1:], "08:04:00.") {
		t.Errorf("the first unread count is not the one of 08:04\n%s", r)
	}
	timelineLacks(t, r, "new message (phone message): Bob: On my way", "new message (notification)")
	if n := strings.Count(r.stdout, "complication updated"); n != 2 {
		t.Errorf("the complication was updated %d times, want 2 (1 unread, then none)\n%s", n, r)
	}
}

// TestMessagesTapNotification: a content-available push with a message
// wakes the background app and is unread; an alert push for the background
// app goes to the user, not the app; tapping it opens the app, which marks
// what was unread as read and then shows the tapped message. The shipped
// push file (no "text" key, category MESSAGE) is a message from its title.
func TestMessagesTapNotification(t *testing.T) {
	background := `{"Simulator Target Bundle": "dev.watchbox.messages", "aps": {"content-available": 1}, "from": "Chloé", "text": "Call me"}`
	alert := `{"Simulator Target Bundle": "dev.watchbox.messages",
 "aps": {"alert": {"title": "Ann", "body": "Are you there?"}, "sound": "default"},
 "from": "Ann", "text": "Are you there?"}`
	shipped := filepath.Join(repoRoot, "tests", "scenarios", "push", "new-message.apns")
	scen := messagesScenario(t, map[string]string{"background.apns": background, "alert.apns": alert},
		"at 08:00 launch messages",
		"at 08:01 background messages",
		"at 08:03 push messages background.apns",
		"at 08:05 push messages alert.apns",
		"at 08:10 tap-notification messages",
		"at 08:20 background messages",
		"at 08:30 push messages "+shipped,
		"at 08:31 tap-notification messages",
	)
	r := watchbox(t, nil, "simulate", scen)
	expect(t, r, exitOK, messagesSummary)
	timelineInOrder(t, r,
		tl{"08:03:00.000", "system: background push runs at 08:03"},
		tl{"08:03:00.", "log: new message (push): Chloé: Call me"},
		tl{"08:03:00.", "system: complication updated: 1 unread · Chloé: Call me"},
		tl{"08:03:00.", "log: unread: 1"},
		tl{"08:03:00.", "remote_notification ok background"},
		tl{"08:05:00.000", `system: notification push-1 presented to the user (the app is suspended): "Ann"`},
		tl{"08:10:00.000", "> tap-notification"},
		tl{"08:10:00.", "will_enter_foreground"},
		tl{"08:10:00.", "log: read 1 message(s)"},
		tl{"08:10:00.", "system: complication updated: no unread"},
		tl{"08:10:00.", "log: unread: 0"},
		tl{"08:10:00.", "did_become_active ok active"},
		tl{"08:10:00.", "log: shown: Ann: Are you there?"},
		tl{"08:10:00.", "notification_did_receive ok active"},
		tl{"08:30:00.000", `notification push-2 presented to the user`},
		tl{"08:31:00.", "did_become_active ok active"},
		tl{"08:31:00.", "log: shown: Ann: Lunch at 12?"},
		tl{"08:31:00.", "notification_did_receive ok active"},
	)
	// the alert push did not reach the app before the tap, and nothing
	// was unread when it opened the second time
	timelineLacks(t, r, "new message (notification)", "new message (tapped notification)", "unread: 2")
	if n := strings.Count(r.stdout, "log: read "); n != 1 {
		t.Errorf("%d \"read\" lines, want 1 (nothing was unread when the second tap opened the app)\n%s", n, r)
	}
}

// TestMessagesUnreadSurvivesPurge: the unread count, the recent messages
// and the count in the last snapshot are saved in the data container, so a
// cold launch after a purge starts from them.
func TestMessagesUnreadSurvivesPurge(t *testing.T) {
	scen := messagesScenario(t, nil,
		"at 08:00 launch messages",
		"at 08:01 background messages",
		`at 08:05 phone user-info messages {"from": "Ann", "text": "Lunch at 12?"}`,
		`at 08:06 phone user-info messages {"from": "Bob", "text": "Me too"}`,
		"at 08:30 suspend messages",
		"at 08:31 purge messages",
		"at 08:40 trigger messages watch-connectivity",
		"at 08:50 suspend messages",
		"at 08:51 purge messages",
		"at 09:00 launch messages",
	)
	data := t.TempDir()
	r := watchbox(t, nil, "simulate", "--data", data, scen)
	expect(t, r, exitOK, messagesSummary)
	timelineInOrder(t, r,
		tl{"08:15:00.", "log: new message (user info): Ann: Lunch at 12?"},
		tl{"08:15:00.", "log: unread: 1"},
		tl{"08:15:00.", "log: new message (user info): Bob: Me too"},
		tl{"08:15:00.", "system: complication updated: 2 unread · Bob: Me too"},
		tl{"08:15:00.", "log: unread: 2"},
		tl{"08:15:00.", "log: watch_connectivity task …: 2 unread, snapshot true"},
		tl{"08:31:00.000", "> purge"},
		// woken cold into the background: the count and the snapshot's
		// count come from the container, so no new snapshot
		tl{"08:40:00.", "log: launched: 2 unread, 2 recent message(s) from the container"},
		tl{"08:40:00.", "did_finish_launching ok background"},
		tl{"08:40:00.", "log: watch_connectivity task …: 2 unread, snapshot false"},
		tl{"08:51:00.000", "> purge"},
		tl{"09:00:00.", "log: launched: 2 unread, 2 recent message(s) from the container"},
		tl{"09:00:00.", "did_finish_launching ok inactive"},
		tl{"09:00:00.", "log: read 2 message(s)"},
		tl{"09:00:00.", `system: the phone received 11 bytes: {"read": 2} [phone.received]`},
		tl{"09:00:00.", "system: complication updated: no unread"},
		tl{"09:00:00.", "log: unread: 0"},
		tl{"09:00:00.", "did_become_active ok active"},
	)

	b, err := os.ReadFile(filepath.Join(data, "containers", "dev.watchbox.messages", "state.json"))
	if err != nil {
		t.Fatalf("the app's saved state: %v", err)
	}
	var st struct {
		Unread int `json:"unread"`
		Recent []struct{ From, Text string }
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("state.json: %v: %s", err, b)
	}
	if st.Unread != 0 || len(st.Recent) != 2 || st.Recent[0].From != "Ann" || st.Recent[1].Text != "Me too" {
		t.Errorf("state.json after reading = %s, want no unread and the two messages", b)
	}
}
