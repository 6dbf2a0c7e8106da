package watch

import (
	"errors"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// Task is a background task the system hands the app
// (WKRefreshBackgroundTask). Every task must be completed with Complete
// before its deadline, or the system kills the app.
type Task struct {
	ID       int64
	Kind     abi.TaskKind
	UserInfo []byte             // the payload given when it was scheduled, if any
	Reason   abi.SnapshotReason // why the system asks for a snapshot (snapshot tasks)

	// A URL session task: the download's identifier, its HTTP status, and
	// the file holding the body in the app's container, or the error.
	Session    string
	StatusCode int
	File       string
	Error      string

	// ContentPending, on a watch-connectivity task, says phone data
	// follows the task: keep it open until PhoneSession says no content
	// is pending (the data delegate calls come after the task).
	ContentPending bool
	// BluetoothError, on a Bluetooth-alert task, is the limit error
	// watchOS 9 gives with it: leGattNearBackgroundNotificationLimit
	// when one alert or scan is left in the budget; nil: none.
	BluetoothError *BluetoothError
}

// Complete tells the system the task is done
// (setTaskCompletedWithSnapshot). A snapshot costs snapshot budget.
func (t *Task) Complete(snapshot bool) error {
	_, err := Request(abi.OpCompleteTask, msg.CompleteTask{TaskID: t.ID, Snapshot: snapshot}.Encode(nil))
	return err
}

// DistantFuture is an expiration that never comes (Foundation's
// distantFuture): see CompleteSnapshot.
var DistantFuture = time.Unix(0, abi.DistantFuture)

// CompleteSnapshot completes a snapshot task
// (setTaskCompleted(restoredDefaultState:estimatedSnapshotExpiration:userInfo:)).
// restoredDefault says the app put its UI back to its default state, which
// makes the system's return_to_default_state snapshot unneeded. expires is
// when the snapshot becomes out of date: the system schedules the next
// snapshot then (under the snapshot budget); DistantFuture (or any later
// time) turns the system's automatic snapshots off, and the zero time
// leaves the schedule alone. userInfo is handed to the next snapshot task.
func (t *Task) CompleteSnapshot(restoredDefault bool, expires time.Time, userInfo []byte) error {
	args := msg.CompleteSnapshotTask{TaskID: t.ID, RestoredDefaultState: restoredDefault, UserInfo: userInfo}
	switch {
	case !expires.Before(DistantFuture):
		args.Expiration = abi.DistantFuture
	case !expires.IsZero():
		args.Expiration = expires.UnixNano()
	}
	_, err := Request(abi.OpCompleteSnapshotTask, args.Encode(nil))
	return err
}

// Background task delegate methods.
type (
	// BackgroundTaskHandler receives background tasks as a set, as
	// handle(_ backgroundTasks:) does.
	BackgroundTaskHandler interface{ HandleBackgroundTasks(tasks []*Task) }
	// TaskExpirer is called shortly before an open task's deadline (the
	// task's expirationHandler): complete it now or the app is killed.
	TaskExpirer interface{ TaskWillExpire(taskID int64) }
)

// ScheduleBackgroundRefresh asks the system for a background refresh at
// preferred, a hint: the system may run it later (budgets) or drop it (the
// app is frontmost when it comes due). A new request replaces the pending
// one. It returns when the system plans to deliver it, or the zero time if
// it will not.
func ScheduleBackgroundRefresh(preferred time.Time, userInfo []byte) (time.Time, error) {
	if preferred.IsZero() {
		return time.Time{}, zeroDate("ScheduleBackgroundRefresh")
	}
	return schedule(abi.OpScheduleBackgroundRefresh, msg.ScheduleRefresh{Date: preferred.UnixNano(), UserInfo: userInfo}.Encode(nil))
}

// ScheduleSnapshotRefresh asks for a snapshot task at preferred
// (scheduleSnapshotRefresh), under the snapshot budget, with the same rules
// as ScheduleBackgroundRefresh.
func ScheduleSnapshotRefresh(preferred time.Time, userInfo []byte) (time.Time, error) {
	if preferred.IsZero() {
		return time.Time{}, zeroDate("ScheduleSnapshotRefresh")
	}
	return schedule(abi.OpScheduleSnapshotRefresh, msg.ScheduleSnapshot{Date: preferred.UnixNano(), UserInfo: userInfo}.Encode(nil))
}

// zeroDate is the error of a schedule request given the zero time.Time,
// which the host would read as a date in 1754 that has long passed.
func zeroDate(fn string) error {
	return errors.New("watch: " + fn + ": the preferred date is the zero time.Time (unset); pass the time you want it, such as time.Now().Add(15*time.Minute)")
}

func schedule(op abi.Op, args []byte) (time.Time, error) {
	b, err := Request(op, args)
	if err != nil {
		return time.Time{}, err
	}
	var res msg.ScheduleResult
	if err := res.Decode(b); err != nil {
		return time.Time{}, resultError(op, err)
	}
	if res.Date == 0 {
		return time.Time{}, nil // dropped
	}
	return time.Unix(0, res.Date), nil
}

// decodeTasks reads the task records of a background_tasks event.
func decodeTasks(e *Event) ([]*Task, error) {
	var m msg.BackgroundTasks
	if err := m.Decode(e.fields); err != nil {
		return nil, err
	}
	if len(m.Tasks) == 0 {
		return nil, errors.New("background_tasks: no task record")
	}
	tasks, all := make([]*Task, len(m.Tasks)), make([]Task, len(m.Tasks))
	for i, t := range m.Tasks {
		all[i] = Task{ID: t.ID, Kind: t.Kind, UserInfo: nilIfEmpty(t.UserInfo), Reason: t.Reason,
			Session: t.Session, StatusCode: int(t.StatusCode), File: t.File, Error: t.Error, ContentPending: t.ContentPending}
		if t.ErrorCode != 0 {
			all[i].BluetoothError = &BluetoothError{Code: t.ErrorCode}
		}
		tasks[i] = &all[i]
	}
	return tasks, nil
}

// StartDownload starts a background download of url under identifier (a
// background URLSession). The host fetches it, only from the hosts the
// manifest's allowedHosts names, and wakes the app with a url_session task
// when it is done, even if the app was suspended or purged meanwhile; the
// body is then in the app's container at Task.File.
func StartDownload(identifier, url string) error {
	_, err := Request(abi.OpStartDownload, msg.StartDownload{Identifier: identifier, URL: url}.Encode(nil))
	return err
}

// UpdateComplication publishes the app's complication data (what the
// complication shows, in the app's own format, e.g. JSON); the runtime
// records it (host.App.Complication) and shows it in simulation timelines.
func UpdateComplication(data []byte) error {
	_, err := Request(abi.OpUpdateComplication, msg.UpdateComplication{Data: data}.Encode(nil))
	return err
}
