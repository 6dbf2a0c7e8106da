package system

import (
	"context"
	"time"

	"github.com/watchbox/watchbox/abi"
)

// Task is a background task to deliver to the app.
type Task struct {
	Kind     abi.TaskKind
	Reason   abi.SnapshotReason // for a snapshot task
	UserInfo []byte
	// Session is a URL session task's identifier, with the download's
	// HTTP status and the file it is stored in, or the error.
	Session   string
	Status    int
	File, Err string
	// ContentPending says phone data follows a watch-connectivity task.
	ContentPending bool
	// ErrorCode is a Bluetooth-alert task's CBError code (near the
	// background limit), or 0.
	ErrorCode int64
}

// OpenTask is a delivered task not yet completed.
type OpenTask struct {
	ID        int64
	Kind      abi.TaskKind
	Reason    abi.SnapshotReason
	Delivered time.Time
}

// Tasks is the background tasks feature, as other features reach it.
type Tasks interface {
	// Deliver hands tasks to the app in one background_tasks event,
	// launching or waking it into the background first.
	Deliver(ctx context.Context, tasks []*Task) error
	// Open returns the open task id.
	Open(id int64) (OpenTask, bool)
	// Finish closes the open task id and reports it under rule.
	Finish(id int64, now time.Time, rule, reason string)
	// Running returns how many tasks are open and the earliest of their
	// deadlines (zero when none is open).
	Running() (n int, deadline time.Time)
	// Redeliver hands the open tasks again, with their ids and deadlines,
	// to a new instance that never saw them (a hot reload's cold start),
	// and returns how many.
	Redeliver(ctx context.Context) (int, error)
}

// Snapshots is the snapshots feature, as other features reach it.
type Snapshots interface {
	// Take decides a system snapshot for reason and, unless the rules
	// delay it, delivers its task; it returns the time it was delayed to.
	Take(ctx context.Context, reason abi.SnapshotReason) (time.Time, error)
	// TakeInfo returns, once, the userInfo the app left for its next
	// snapshot task.
	TakeInfo() []byte
	// Schedule arms the pending snapshot at t (none when t is zero).
	Schedule(t time.Time)
	// Valid reports whether reason is a snapshot reason the system knows.
	Valid(reason abi.SnapshotReason) bool
}
