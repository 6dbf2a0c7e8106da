package host

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/abi/msg/msgtest"
)

// raw is a /mode line that makes the chaos app send op with the given
// argument fields as they are, bypassing the SDK's encoder.
func raw(event string, op abi.Op, args []byte) string {
	if len(args) == 0 {
		return fmt.Sprintf("%s raw %d -", event, op)
	}
	return fmt.Sprintf("%s raw %d %x", event, op, args)
}

// repeated is m's encoding with every field repeated after the first
// occurrences (with other values, and one of the wrong wire type).
func repeated(m msg.Message) []byte {
	return msgtest.Repeats(m.Encode(nil), m.Spec())
}

// Every op reads the first occurrence of a repeated field, as docs/abi.md
// section 9 requires: each request below is sent with every field
// repeated, and the host acts on the first values (the repeats would give
// another date, id, payload, or a refusal).
func TestRequestsKeepTheFirstOccurrence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	h, a, ds := virtualChaos(t,
		raw("DidFinishLaunching", abi.OpScheduleBackgroundRefresh,
			repeated(&msg.ScheduleRefresh{Date: start.Add(30*time.Minute + 500*time.Millisecond).UnixNano(), UserInfo: []byte("first")})),
		raw("DidFinishLaunching", abi.OpScheduleSnapshotRefresh, repeated(&msg.ScheduleSnapshot{Date: start.Add(40 * time.Minute).UnixNano()})),
		raw("DidFinishLaunching", abi.OpScheduleNotification,
			repeated(&msg.ScheduleNotification{Identifier: "n1", Title: "first", Body: "b", Interval: 10 * time.Minute})),
		raw("DidFinishLaunching", abi.OpCancelNotification, repeated(&msg.CancelNotification{Identifier: "n1"})),
		raw("DidFinishLaunching", abi.OpUpdateComplication, repeated(&msg.UpdateComplication{Data: []byte("first")})),
		raw("DidFinishLaunching", abi.OpSendToPhone, repeated(&msg.SendToPhone{Payload: []byte("first")})),
		raw("DidFinishLaunching", abi.OpStartDownload, repeated(&msg.StartDownload{Identifier: "dl-1", URL: "https://weather.example/x"})),
		raw("Tasks", abi.OpCompleteTask, repeated(&msg.CompleteTask{TaskID: 1})),
		raw("Snapshot", abi.OpCompleteSnapshotTask, repeated(&msg.CompleteSnapshotTask{TaskID: 2, UserInfo: []byte("first")})),
	)
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil)) // launches the app: task 1
	must(t, a.Tasks().Snapshot(ctx, abi.SnapshotPrelaunch))          // task 2
	must(t, a.Tasks().Snapshot(ctx, abi.SnapshotPrelaunch))          // task 3 gets task 2's userInfo

	lines := h.guestLines("chaos: ")
	result := func(op abi.Op, m msg.Message) {
		t.Helper()
		prefix := fmt.Sprintf("chaos: raw %v ", op)
		for _, l := range lines {
			s, ok := strings.CutPrefix(l, prefix)
			size, res, isResult := strings.Cut(s, " result ")
			if ok && isResult && size == fmt.Sprint(len(res)/2) {
				b, err := hex.DecodeString(res)
				if err != nil {
					t.Fatalf("%s: %v", l, err)
				}
				if err := m.Decode(b); err != nil {
					t.Fatalf("%v result: %v", op, err)
				}
				return
			}
		}
		t.Errorf("no successful %v in %q", op, lines)
	}
	var refresh, snapshot msg.ScheduleResult
	result(abi.OpScheduleBackgroundRefresh, &refresh)
	result(abi.OpScheduleSnapshotRefresh, &snapshot)
	if want := start.Add(30*time.Minute + time.Second).UnixNano(); refresh.Date != want {
		t.Errorf("refresh at %v, want %v (the first date, rounded up to a second)", time.Unix(0, refresh.Date).UTC(), time.Unix(0, want).UTC())
	}
	if want := start.Add(40 * time.Minute).UnixNano(); snapshot.Date != want {
		t.Errorf("snapshot at %v, want %v", time.Unix(0, snapshot.Date).UTC(), time.Unix(0, want).UTC())
	}
	for _, op := range []abi.Op{abi.OpScheduleNotification, abi.OpCancelNotification, abi.OpUpdateComplication,
		abi.OpSendToPhone, abi.OpStartDownload, abi.OpCompleteTask, abi.OpCompleteSnapshotTask} {
		result(op, &msg.Empty{})
	}
	if got := string(a.Complication().Data()); got != "first" {
		t.Errorf("complication = %q, want first", got)
	}
	for rule, want := range map[string]string{
		"notification.scheduled": "notification n1 scheduled for 09:10:00",
		"phone.received":         "the phone received 5 bytes: first",
		"url_session.started":    "download dl-1 of https://weather.example/x started",
		"task.completed":         "(snapshot: false)",
	} {
		if got := decisionsWith(*ds, rule); len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("%s decisions %q, want one with %q", rule, got, want)
		}
	}
	var task3 []string
	for _, l := range lines {
		if strings.HasPrefix(l, "chaos: task 3 ") {
			task3 = append(task3, l)
		}
	}
	equal(t, "the next snapshot task", task3, []string{`chaos: task 3 snapshot (prelaunch) "first" at 09:00:00`})
}

// Every refused request leaves a reason the guest reads with result_read,
// starting with the op's name: for each op, at least one refusal, whether
// the op refused it or the host did before it ran.
func TestRefusedRequestsSayWhy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var bad, noDate abi.Writer
	bad.String(abi.FieldDate, "soon")
	noDate.Blob(abi.FieldUserInfo, []byte("x")) // msg's encoder always writes the required date
	refusals := []struct {
		op   abi.Op
		args []byte
		want string // the chaos app's line
	}{
		{abi.OpAppInfo, []byte{1, 0, 3}, `-2 refusal "app_info: malformed argument fields at byte 0: a header or value is cut short"`},
		{abi.OpScheduleBackgroundRefresh, noDate.Bytes(),
			`-2 refusal "schedule_background_refresh: date: missing (int field 8 is required)"`},
		{abi.OpScheduleSnapshotRefresh, bad.Bytes(), `-2 refusal "schedule_snapshot_refresh: date: wire type bytes with 4 bytes, want int"`},
		{abi.OpCompleteTask, msg.CompleteTask{TaskID: 99}.Encode(nil), `-1 refusal "complete_task: task 99 is not open"`},
		{abi.OpCompleteSnapshotTask, msg.CompleteSnapshotTask{TaskID: 99}.Encode(nil), `-1 refusal "complete_snapshot_task: task 99 is not open"`},
		{abi.OpStartDownload, msg.StartDownload{Identifier: "a b", URL: "https://weather.example/x"}.Encode(nil),
			`-2 refusal "start_download: id \"a b\" has a space"`},
		{abi.OpStartDownload, msg.StartDownload{Identifier: "dl", URL: "ftp://weather.example/x"}.Encode(nil),
			`-2 refusal "start_download: url \"ftp://weather.example/x\": the scheme must be http or https"`},
		{abi.OpStartDownload, msg.StartDownload{Identifier: "dl", URL: "https://evil.example/x"}.Encode(nil),
			`-5 refusal "start_download: host evil.example is not in the manifest's allowedHosts [weather.example]; add it there"`},
		{abi.OpScheduleNotification, msg.ScheduleNotification{Identifier: "n", Title: "t", Interval: 10 * time.Second, Repeats: true}.Encode(nil),
			`-2 refusal "schedule_notification: a repeating time-interval trigger needs at least 60 s, got 10 s"`},
		{abi.OpScheduleNotification, msg.ScheduleNotification{Identifier: "n", Title: "t"}.Encode(nil),
			`-2 refusal "schedule_notification: notification \"n\" has 0 triggers; give exactly one of interval (above 0), date and calendar"`},
		{abi.OpScheduleNotification, msg.ScheduleNotification{Identifier: "n", Title: "t", Calendar: []byte(`{"hour":25}`)}.Encode(nil),
			`-2 refusal "schedule_notification: notification \"n\": calendar component hour is 25; it must be from 0 to 23"`},
		{abi.OpCancelNotification, msg.CancelNotification{Identifier: "nope"}.Encode(nil), `-1 refusal "cancel_notification: no notification \"nope\" is pending"`},
		{abi.OpUpdateComplication, msg.UpdateComplication{Data: []byte{}}.Encode(nil), `-2 refusal "update_complication: the complication data is empty"`},
		{abi.OpSendToPhone, nil, `-2 refusal "send_to_phone: payload: missing (bytes field 25 is required)"`},
		{abi.OpStartWorkout, msg.StartWorkout{SessionType: 37, Identifier: "w1"}.Encode(nil), `-5 refusal "start_workout refused: the manifest's WKBackgroundModes does not declare \"workout-processing\" [workout.mode]"`},
		{9999, nil, `-4 refusal "op(9999): not implemented by this host"`},
	}
	mode := []string{raw("Tasks", abi.OpCompleteSnapshotTask, msg.CompleteSnapshotTask{TaskID: 1}.Encode(nil))}
	want := []string{`chaos: task 1 application_refresh "" at 09:00:00`}
	for _, r := range refusals {
		mode = append(mode, raw("DidFinishLaunching", r.op, r.args))
		want = append(want, fmt.Sprintf("chaos: raw %v %s", r.op, r.want))
	}
	want = append(want[1:], want[0],
		`chaos: raw complete_snapshot_task -2 refusal "complete_snapshot_task: task 1 is of kind application_refresh, not a snapshot task: complete it with complete_task"`)
	h, a, _ := virtualChaos(t, mode...)
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil))
	equal(t, "refusals", h.guestLines("chaos: "), want)
}
