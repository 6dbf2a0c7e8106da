//go:build !wasip1

// These tests play the runtime by replacing hostRequest, which only the
// non-wasip1 build allows.

package watch

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/abi/msg/msgtest"
)

// fakeHost plays the runtime's request host function.
func fakeHost(t *testing.T, f func(op abi.Op, args []byte) ([]byte, abi.Status)) {
	t.Helper()
	old := hostRequest
	hostRequest = f
	t.Cleanup(func() { hostRequest = old })
}

// golden returns the msgtest case called name.
func golden(t *testing.T, name string) msgtest.Case {
	t.Helper()
	for _, c := range msgtest.Cases() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no golden case %q", name)
	return msgtest.Case{}
}

// The SDK's requests carry the bytes the v1 SDK wrote by hand, and it reads
// the results the v1 host writes.
func TestRequestsMatchGolden(t *testing.T) {
	var gotOp abi.Op
	var gotArgs []byte
	result := []byte(nil)
	fakeHost(t, func(op abi.Op, args []byte) ([]byte, abi.Status) {
		gotOp, gotArgs = op, append([]byte(nil), args...)
		return result, abi.StatusOK
	})
	check := func(name string, err error) {
		t.Helper()
		c := golden(t, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if gotOp != c.Op || !bytes.Equal(gotArgs, c.Wire) {
			t.Errorf("%s: sent op %v\n % x\nwant op %v\n % x", name, gotOp, gotArgs, c.Op, c.Wire)
		}
	}
	const t0 = int64(1767225600123456789)
	info := []byte(`{"a":1}`)

	result = golden(t, "op schedule_background_refresh result").Wire
	due, err := ScheduleBackgroundRefresh(time.Unix(0, t0), info)
	check("op schedule_background_refresh args", err)
	if due.UnixNano() != t0+1 {
		t.Errorf("due = %v", due)
	}
	result = golden(t, "op schedule_snapshot_refresh result (dropped)").Wire
	due, err = ScheduleSnapshotRefresh(time.Unix(0, t0), nil)
	check("op schedule_snapshot_refresh args", err)
	if !due.IsZero() {
		t.Errorf("dropped snapshot: due = %v, want the zero time", due)
	}
	result = nil
	task := &Task{ID: 3}
	check("op complete_task args", task.Complete(true))
	task.ID = 2
	check("op complete_snapshot_task args", task.CompleteSnapshot(true, DistantFuture.Add(time.Hour), info))
	check("op complete_snapshot_task args (bare)", task.CompleteSnapshot(false, time.Time{}, nil))
	check("op start_download args", StartDownload("dl-1", "https://example.com/a.json"))
	check("op schedule_notification args", ScheduleNotification(LocalNotification{ID: "n1", Title: "Stand up", Body: "time to move",
		Category: "move", UserInfo: info, After: time.Hour, Repeats: true}))
	check("op schedule_notification args (date)", ScheduleNotification(LocalNotification{ID: "n2", Title: "T", At: time.Unix(0, t0)}))
	check("op schedule_notification args (calendar)", ScheduleNotification(LocalNotification{ID: "n3", Body: "B",
		Calendar: map[string]int{"hour": 8}, Repeats: true}))
	check("op cancel_notification args", CancelNotification("n1"))
	check("op update_complication args", UpdateComplication([]byte(`{"t":"21°"}`)))
	check("op send_to_phone args", SendToPhone(info))

	c := golden(t, "op app_info result")
	result = c.Wire
	got, err := App()
	check("op app_info args", err)
	want := Info{BundleID: "dev.watchbox.test.chello", State: abi.StateInactive, LaunchCount: 1, Cold: true, Settings: info}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("App() = %+v, want %+v", got, want)
	}

	// A result the SDK cannot read is an error now, not a zero value.
	var w abi.Writer
	w.String(abi.FieldAppState, "active")
	result = w.Bytes()
	if _, err := App(); err == nil || err.Error() != "watch: app_info: cannot decode the result: app_info_result: app_state: wire type bytes with 6 bytes, want int" {
		t.Errorf("App() with a bad result: %v", err)
	}
}

// A refused request's error carries the runtime's reason when it gives one
// and reads as before when it does not.
func TestRefusalReason(t *testing.T) {
	var refusal []byte
	fakeHost(t, func(op abi.Op, args []byte) ([]byte, abi.Status) { return refusal, abi.StatusBadArgument })

	refusal = msg.Refuse("a repeating time-interval trigger needs at least 60 s, got 10 s")
	err := ScheduleNotification(LocalNotification{ID: "n", Title: "t", After: 10 * time.Second, Repeats: true})
	const want = "watch: schedule_notification: a repeating time-interval trigger needs at least 60 s, got 10 s (bad_argument)"
	var se *StatusError
	if err == nil || err.Error() != want || !errors.As(err, &se) || se.Status != abi.StatusBadArgument || se.Op != abi.OpScheduleNotification {
		t.Errorf("with a reason: %v, want %s", err, want)
	}

	// The runtime's reasons start with the op's name, which is not repeated.
	refusal = msg.Refuse(`start_download: id "a b" has a space`)
	err = StartDownload("a b", "https://example.com")
	if want := `watch: start_download: id "a b" has a space (bad_argument)`; err == nil || err.Error() != want {
		t.Errorf("with the op's name: %v, want %s", err, want)
	}

	for _, r := range [][]byte{
		nil, // a v1 host: no result after a refusal
		golden(t, "op schedule_background_refresh result").Wire, // a stale result of an earlier request
		{1, 2, 3}, // garbage
	} {
		refusal = r
		err = StartDownload("a b", "https://example.com")
		if err == nil || err.Error() != "watch: start_download request failed: bad_argument" {
			t.Errorf("without a reason (% x): %v", r, err)
		}
	}
}

// Malformed event fields are answered bad_event with the decoding error,
// not handed to the delegate as zero values.
func TestMalformedEventIsBadEvent(t *testing.T) {
	d := &taskRecorder{}
	Register(d)
	defer Register(nil)

	var w abi.Writer
	m := w.Begin(abi.FieldTask)
	w.String(abi.FieldTaskID, "seven")
	w.End(m)
	s, out := handle(abi.EventBackgroundTasks, envelope(abi.EventBackgroundTasks, w.Bytes()))
	var r msg.Reply
	if err := r.Decode(out); s != abi.StatusBadEvent || err != nil ||
		r.Message != "watch: cannot decode background_tasks event: background_tasks: task[0].task_id: wire type bytes with 5 bytes, want int" {
		t.Errorf("bad task id: %v %+v %v", s, r, err)
	}
	s, out = handle(abi.EventBackgroundTasks, envelope(abi.EventBackgroundTasks, nil))
	if err := r.Decode(out); s != abi.StatusBadEvent || err != nil || !strings.Contains(r.Message, "no task record") {
		t.Errorf("no tasks: %v %+v %v", s, r, err)
	}
	w.Reset()
	w.Int(abi.FieldTaskID, 9)
	w.Int(abi.FieldTaskID, 10) // a repeat: the first wins
	if s, _ := handle(abi.EventTaskWillExpire, envelope(abi.EventTaskWillExpire, w.Bytes())); s != abi.StatusOK {
		t.Errorf("task_will_expire: %v", s)
	}

	// The golden background_tasks event reaches the delegate whole.
	c := golden(t, "event background_tasks")
	if s, _ := handle(abi.EventBackgroundTasks, envelope(abi.EventBackgroundTasks, c.Wire)); s != abi.StatusOK {
		t.Fatalf("golden tasks: %v", s)
	}
	if len(d.tasks) != 5 || d.tasks[2].File != "/Downloads/dl-1" || d.tasks[3].Error != "connection refused" ||
		string(d.tasks[0].UserInfo) != `{"a":1}` || d.tasks[4].UserInfo != nil || d.tasks[1].Reason != abi.SnapshotAppBackgrounded {
		t.Errorf("tasks = %+v", d.tasks)
	}
	if !reflect.DeepEqual(d.expired, []int64{9}) {
		t.Errorf("expired = %v", d.expired)
	}
}

type taskRecorder struct {
	tasks   []*Task
	expired []int64
}

func (r *taskRecorder) HandleBackgroundTasks(tasks []*Task) { r.tasks = tasks }
func (r *taskRecorder) TaskWillExpire(id int64)             { r.expired = append(r.expired, id) }

// TestZeroDateIsRefusedBeforeSending: the zero time.Time is an unset
// date, not 1754; the SDK refuses it without asking the runtime.
func TestZeroDateIsRefusedBeforeSending(t *testing.T) {
	fakeHost(t, func(op abi.Op, args []byte) ([]byte, abi.Status) {
		t.Errorf("op %v was sent to the runtime", op)
		return nil, abi.StatusInternal
	})
	for name, f := range map[string]func(time.Time, []byte) (time.Time, error){
		"ScheduleBackgroundRefresh": ScheduleBackgroundRefresh, "ScheduleSnapshotRefresh": ScheduleSnapshotRefresh,
	} {
		_, err := f(time.Time{}, nil)
		if err == nil || !strings.Contains(err.Error(), "watch: "+name+": the preferred date is the zero time.Time (unset)") {
			t.Errorf("%s(time.Time{}) = %v, want a clear refusal", name, err)
		}
	}
}
