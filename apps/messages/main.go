// Command messages is watchbox's phone-data sample app: it receives
// messages and notifications from the paired phone and keeps an unread
// count on its complication. Run it through a day:
//
//	watchbox simulate tests/scenarios/day.scenario
//
// Where messages come from:
//
//   - Phone data: a user-info transfer (DidReceiveUserInfo) or a live
//     message (DidReceiveMessage) whose payload is a JSON object such as
//     {"from": "Ann", "text": "Lunch at 12?"}. A payload without "text" or
//     that is not valid JSON is logged as a warning and ignored.
//   - Notifications (alert pushes and local notifications, presented while
//     the app is frontmost or tapped by the user) and content-available
//     pushes. A notification is a message when its user info (for a push,
//     its custom top-level keys; failing that, the top-level keys of the
//     whole push) has a "text" key: the sender is "from", or the
//     notification's title if there is none. Failing that, a notification
//     of category MESSAGE is a message from its title with its body as the
//     text. Any other notification is only logged.
//
// The application context (DidReceiveApplicationContext) is not a message:
// it is the phone's latest state, e.g. {"contacts": ["Ann", "Bob"]}; the app
// keeps the latest one and logs how many contacts it lists (or, without a
// "contacts" array, how many keys it has).
//
// Unread count: a message that arrives while the app is active (frontmost,
// wrist raised) is shown at once ("shown: Ann: ...") and is not unread. Any
// other message (the app inactive, in the background, or launched into the
// background for it) adds one to the unread count. When the app becomes
// active the user sees them: the count goes back to 0 ("read N
// message(s)"). Every change of the count is published to the complication
// ("2 unread · Ann: Are you there?" or "no unread") and logged ("unread: 2").
//
// The count, the last few messages and the latest context are saved in the
// app's data container (/state.json) after every change and loaded by
// DidFinishLaunching, so they survive a purge and a cold relaunch.
//
// Background tasks are completed at once, except a watch-connectivity task
// (the one that woke the app to deliver phone data): it comes before the
// data, so the app keeps it open while the session has content pending
// (watch.PhoneSession) and completes it after the last data call, as
// Apple's WatchConnectivity guide says. It asks for a snapshot only when
// the unread count differs from the one in the last snapshot; every other
// task completes without one. A snapshot task's completion counts as
// a snapshot, since the system takes one after it.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

// stateFile lives in the app's data container, the only directory it sees.
const stateFile = "/state.json"

// keep is how many recent messages the state keeps.
const keep = 5

type message struct {
	From string `json:"from"`
	Text string `json:"text"`
}

func (m message) String() string {
	if m.From == "" {
		return m.Text
	}
	return m.From + ": " + m.Text
}

// state is what the app persists.
type state struct {
	Unread int       `json:"unread"`
	Recent []message `json:"recent,omitempty"` // oldest first
	// Context is the latest application context from the phone.
	Context json.RawMessage `json:"context,omitempty"`
	// Snapshot is the unread count when the last snapshot was asked for
	// (or taken, for a snapshot task).
	Snapshot int `json:"snapshotUnread"`
}

type app struct {
	st state
	wc *watch.Task // the watch-connectivity task kept open while phone data is pending
}

func (a *app) DidFinishLaunching() {
	a.st = state{}
	b, err := os.ReadFile(stateFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		watch.Printf("launched: no saved state")
		return
	case err != nil:
		watch.Warnf("cannot read %s: %v", stateFile, err)
		return
	}
	if err := json.Unmarshal(b, &a.st); err != nil {
		watch.Warnf("bad saved state, starting afresh: %v", err)
		a.st = state{}
		return
	}
	watch.Printf("launched: %d unread, %d recent message(s) from the container", a.st.Unread, len(a.st.Recent))
}

// DidBecomeActive: the user looks at the app and sees every message.
func (a *app) DidBecomeActive() {
	if a.st.Unread == 0 {
		return
	}
	watch.Printf("read %d message(s)", a.st.Unread)
	// A read receipt, so that the phone clears its badge too.
	if err := watch.SendToPhone(fmt.Appendf(nil, `{"read": %d}`, a.st.Unread)); err != nil {
		watch.Warnf("cannot send the read receipt: %v", err)
	}
	a.st.Unread = 0
	a.save()
	a.publish()
}

func (a *app) DidReceiveUserInfo(payload []byte) {
	a.phone("user info", payload)
	a.completeConnectivity()
}
func (a *app) DidReceiveMessage(payload []byte) {
	a.phone("phone message", payload)
	a.completeConnectivity()
}
func (a *app) WillPresentNotification(n *watch.Notification) {
	a.notification("notification", n)
}

// DidReceiveNotification: the user tapped a notification, which opened the
// app (it became active first).
func (a *app) DidReceiveNotification(n *watch.Notification) {
	a.notification("tapped notification", n)
}

func (a *app) DidReceiveRemoteNotification(n *watch.Notification) {
	a.notification("push", n)
}

func (a *app) DidReceiveApplicationContext(payload []byte) {
	defer a.completeConnectivity()
	var ctx map[string]json.RawMessage
	if err := json.Unmarshal(payload, &ctx); err != nil || ctx == nil {
		watch.Warnf("bad application context (%d bytes): %v", len(payload), errOrNull(err))
		return
	}
	a.st.Context = append(json.RawMessage(nil), payload...)
	a.save()
	var contacts []json.RawMessage
	if raw, ok := ctx["contacts"]; ok && json.Unmarshal(raw, &contacts) == nil && contacts != nil {
		watch.Printf("context: %d contact(s)", len(contacts))
		return
	}
	watch.Printf("context: %d key(s)", len(ctx))
}

func (a *app) HandleBackgroundTasks(tasks []*watch.Task) {
	for _, t := range tasks {
		snapshot := false
		switch t.Kind {
		case abi.TaskWatchConnectivity:
			// The phone data follows the task: complete it once the
			// last of it came.
			a.wc = t
			a.completeConnectivity()
			continue
		case abi.TaskSnapshot:
			// The system snapshots the app after this task completes.
			if a.st.Snapshot != a.st.Unread {
				a.st.Snapshot = a.st.Unread
				a.save()
			}
		}
		if err := t.Complete(snapshot); err != nil {
			watch.Warnf("cannot complete %v task %d: %v", t.Kind, t.ID, err)
		}
	}
}

// completeConnectivity completes the open watch-connectivity task once the
// session has no content pending: with a snapshot only if the phone data
// changed what the snapshot would show.
func (a *app) completeConnectivity() {
	if a.wc == nil {
		return
	}
	if s, err := watch.PhoneSession(); err != nil {
		watch.Warnf("cannot read the phone session: %v", err)
	} else if s.ContentPending {
		return // more phone data is coming
	}
	t := a.wc
	a.wc = nil
	snapshot := false
	if a.st.Unread != a.st.Snapshot {
		snapshot = true
		a.st.Snapshot = a.st.Unread
		a.save()
	}
	watch.Printf("watch_connectivity task %d: %d unread, snapshot %v", t.ID, a.st.Unread, snapshot)
	if err := t.Complete(snapshot); err != nil {
		watch.Warnf("cannot complete %v task %d: %v", t.Kind, t.ID, err)
	}
}

// TaskWillExpire: every task is completed as soon as it arrives, so one
// about to expire is one whose completion failed; complete it now.
func (a *app) TaskWillExpire(id int64) {
	watch.Warnf("task %d is about to expire; completing it", id)
	if err := (&watch.Task{ID: id}).Complete(false); err != nil {
		watch.Warnf("cannot complete task %d: %v", id, err)
	}
}

// phone handles a user-info transfer or a live message.
func (a *app) phone(via string, payload []byte) {
	var m message
	if err := json.Unmarshal(payload, &m); err != nil {
		watch.Warnf("bad %s (%d bytes): %v", via, len(payload), err)
		return
	}
	if m.Text == "" {
		watch.Warnf("%s without text: %s", via, truncate(payload, 80))
		return
	}
	a.receive(via, m)
}

// notification handles a notification or push: a message if it carries
// one (see the package documentation), otherwise only logged.
func (a *app) notification(via string, n *watch.Notification) {
	m, ok := messageOf(n)
	if !ok {
		watch.Printf("%s %s: %q %q", via, n.Identifier, n.Title, n.Body)
		return
	}
	a.receive(via, m)
}

// messageOf finds the message a notification carries.
func messageOf(n *watch.Notification) (message, bool) {
	for _, b := range [][]byte{n.UserInfo, n.Payload} {
		if len(b) == 0 {
			continue
		}
		var m message
		if err := json.Unmarshal(b, &m); err != nil {
			watch.Warnf("bad notification user info (%d bytes): %v", len(b), err)
			continue
		}
		if m.Text != "" {
			if m.From == "" {
				m.From = n.Title
			}
			return m, true
		}
	}
	if n.Category == "MESSAGE" && n.Body != "" {
		return message{From: n.Title, Text: n.Body}, true
	}
	return message{}, false
}

// receive records a new message: shown if the app is active, else unread.
func (a *app) receive(via string, m message) {
	a.st.Recent = append(a.st.Recent, m)
	if len(a.st.Recent) > keep {
		a.st.Recent = append([]message(nil), a.st.Recent[len(a.st.Recent)-keep:]...)
	}
	if active() {
		watch.Printf("shown: %s", m)
		a.save()
		return
	}
	watch.Printf("new message (%s): %s", via, m)
	a.st.Unread++
	a.save()
	a.publish()
}

// active reports whether the app is frontmost with the wrist raised, so
// the user sees a message as it arrives.
func active() bool {
	info, err := watch.App()
	if err != nil {
		watch.Warnf("cannot ask the app state: %v", err)
		return false
	}
	return info.State == abi.StateActive
}

// publish shows the unread count on the complication.
func (a *app) publish() {
	text := "no unread"
	if a.st.Unread > 0 {
		text = fmt.Sprintf("%d unread", a.st.Unread)
		if n := len(a.st.Recent); n > 0 {
			text += " · " + a.st.Recent[n-1].String()
		}
	}
	if err := watch.UpdateComplication([]byte(text)); err != nil {
		watch.Warnf("cannot update the complication: %v", err)
	}
	watch.Printf("unread: %d", a.st.Unread)
}

// save writes the state to the container: to a temporary file, renamed
// over the old one, so that a purge mid-write leaves one or the other.
func (a *app) save() {
	b, err := json.Marshal(&a.st)
	if err == nil {
		err = os.WriteFile(stateFile+".tmp", b, 0o644)
	}
	if err == nil {
		err = os.Rename(stateFile+".tmp", stateFile)
	}
	if err != nil {
		watch.Warnf("cannot save the state: %v", err)
	}
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

func errOrNull(err error) any {
	if err == nil {
		return "not an object"
	}
	return err
}

func init() { watch.Register(&app{}) }

func main() {}
