package watch

import (
	"errors"
	"time"

	"github.com/watchbox/watchbox/abi"
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
}

// Complete tells the system the task is done
// (setTaskCompletedWithSnapshot). A snapshot costs snapshot budget.
func (t *Task) Complete(snapshot bool) error {
	var w abi.Writer
	w.Int(abi.FieldTaskID, t.ID)
	w.Bool(abi.FieldSnapshot, snapshot)
	_, err := Request(abi.OpCompleteTask, w.Bytes())
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
	var w abi.Writer
	w.Int(abi.FieldTaskID, t.ID)
	w.Bool(abi.FieldRestoredDefaultState, restoredDefault)
	switch {
	case !expires.Before(DistantFuture):
		w.Int(abi.FieldDate, abi.DistantFuture)
	case !expires.IsZero():
		w.Int(abi.FieldDate, expires.UnixNano())
	}
	if userInfo != nil {
		w.Blob(abi.FieldUserInfo, userInfo)
	}
	_, err := Request(abi.OpCompleteSnapshotTask, w.Bytes())
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
	return schedule(abi.OpScheduleBackgroundRefresh, preferred, userInfo)
}

// ScheduleSnapshotRefresh asks for a snapshot task at preferred
// (scheduleSnapshotRefresh), under the snapshot budget, with the same rules
// as ScheduleBackgroundRefresh.
func ScheduleSnapshotRefresh(preferred time.Time, userInfo []byte) (time.Time, error) {
	return schedule(abi.OpScheduleSnapshotRefresh, preferred, userInfo)
}

func schedule(op abi.Op, preferred time.Time, userInfo []byte) (time.Time, error) {
	var w abi.Writer
	w.Int(abi.FieldDate, preferred.UnixNano())
	if userInfo != nil {
		w.Blob(abi.FieldUserInfo, userInfo)
	}
	res, err := Request(op, w.Bytes())
	if err != nil {
		return time.Time{}, err
	}
	r := abi.NewReader(res)
	for r.Next() {
		if v := r.Value(); v.Key == abi.FieldDate {
			ns, err := v.Int()
			if err != nil {
				return time.Time{}, err
			}
			return time.Unix(0, ns), nil
		}
	}
	return time.Time{}, r.Err()
}

// decodeTasks reads the task records of a background_tasks event.
func decodeTasks(e *Event) ([]*Task, error) {
	var tasks []*Task
	r := e.Fields()
	for r.Next() {
		v := r.Value()
		if v.Key != abi.FieldTask {
			continue
		}
		rec, err := v.Record()
		if err != nil {
			return nil, err
		}
		t := &Task{}
		seen := map[abi.Field]bool{}
		for rec.Next() {
			f := rec.Value()
			if seen[f.Key] {
				continue
			}
			seen[f.Key] = true
			switch f.Key {
			case abi.FieldTaskID:
				t.ID, _ = f.Int()
			case abi.FieldTaskKind:
				k, _ := f.Int()
				t.Kind = abi.TaskKind(k)
			case abi.FieldUserInfo:
				b, _ := f.Blob()
				t.UserInfo = append([]byte(nil), b...)
			case abi.FieldSnapshotReason:
				r, _ := f.Int()
				t.Reason = abi.SnapshotReason(r)
			case abi.FieldSessionIdentifier:
				t.Session, _ = f.Text()
			case abi.FieldStatusCode:
				n, _ := f.Int()
				t.StatusCode = int(n)
			case abi.FieldFile:
				t.File, _ = f.Text()
			case abi.FieldError:
				t.Error, _ = f.Text()
			}
		}
		if err := rec.Err(); err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if len(tasks) == 0 {
		return nil, errors.New("watch: background_tasks event without tasks")
	}
	return tasks, nil
}

// taskID reads the task id of a task_will_expire event.
func taskID(e *Event) int64 {
	r := e.Fields()
	for r.Next() {
		if v := r.Value(); v.Key == abi.FieldTaskID {
			id, _ := v.Int()
			return id
		}
	}
	return 0
}

// StartDownload starts a background download of url under identifier (a
// background URLSession). The host fetches it, only from the hosts the
// manifest's allowedHosts names, and wakes the app with a url_session task
// when it is done, even if the app was suspended or purged meanwhile; the
// body is then in the app's container at Task.File.
func StartDownload(identifier, url string) error {
	var w abi.Writer
	w.String(abi.FieldSessionIdentifier, identifier)
	w.String(abi.FieldURL, url)
	_, err := Request(abi.OpStartDownload, w.Bytes())
	return err
}

// UpdateComplication publishes the app's complication data (what the
// complication shows, in the app's own format, e.g. JSON); the runtime
// records it (host.App.Complication) and shows it in simulation timelines.
func UpdateComplication(data []byte) error {
	var w abi.Writer
	w.Blob(abi.FieldComplication, data)
	_, err := Request(abi.OpUpdateComplication, w.Bytes())
	return err
}
