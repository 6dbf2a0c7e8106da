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
	var w abi.Writer
	w.Int(abi.FieldDate, preferred.UnixNano())
	if userInfo != nil {
		w.Blob(abi.FieldUserInfo, userInfo)
	}
	res, err := Request(abi.OpScheduleBackgroundRefresh, w.Bytes())
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
