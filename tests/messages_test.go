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
// compares its timeline with a golden file (testdata/golden/messages-*.txt;
// -update rewrites them).

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

const messagesSummary = "simulated 08:00:00.000 to 11:00:00.000: 1 app(s), 0 failed call(s)"

// TestMessagesPhoneDataInBackground: user info sent while the app is in the
// background is delivered within data_delivery_delay with a
// watch-connectivity task; the message is unread, the complication says so,
// and the task asks for a snapshot because the count changed. Later data
// that does not change the count (a context, a bad payload) completes its
// task without a snapshot.
func TestMessagesPhoneDataInBackground(t *testing.T) {
	t.Parallel()
	scen := messagesScenario(t, nil,
		"at 08:00 launch messages",
		"at 08:05 background messages",
		`at 08:10 phone user-info messages {"from": "Ann", "text": "Lunch at 12?"}`,
		`at 08:30 phone context messages {"contacts": ["Ann", "Bob", "Chloé"]}`,
		`at 08:31 phone user-info messages {"from": 3, "text": "not a sender"}`,
	)
	r := watchbox(t, nil, "simulate", scen)
	expect(t, r, exitOK, messagesSummary)
	checkGolden(t, "messages-phone-data-in-background.txt", r)
}

// TestMessagesWhileFrontmost: a message or notification arriving while the
// app is active is shown at once and not counted; one arriving while the
// wrist is down (the app frontmost but inactive) is unread until the wrist
// goes up again.
func TestMessagesWhileFrontmost(t *testing.T) {
	t.Parallel()
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
	checkGolden(t, "messages-while-frontmost.txt", r)
}

// TestMessagesTapNotification: a content-available push with a message
// wakes the background app and is unread; an alert push for the background
// app goes to the user, not the app; tapping it opens the app, which marks
// what was unread as read and then shows the tapped message. The shipped
// push file (no "text" key, category MESSAGE) is a message from its title.
func TestMessagesTapNotification(t *testing.T) {
	t.Parallel()
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
	checkGolden(t, "messages-tap-notification.txt", r)
}

// TestMessagesUnreadSurvivesPurge: the unread count, the recent messages
// and the count in the last snapshot are saved in the data container, so a
// cold launch after a purge starts from them.
func TestMessagesUnreadSurvivesPurge(t *testing.T) {
	t.Parallel()
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
	checkGolden(t, "messages-unread-survives-purge.txt", r)

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
