package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// Settings named by a [LimitError].
const (
	// MaxUserWatches is the sysctl that caps inotify watches per user; one
	// watch is used per watched directory. Exceeding it fails with ENOSPC.
	MaxUserWatches = "fs.inotify.max_user_watches"
	// MaxUserInstances is the sysctl that caps inotify instances per user;
	// each [Watcher] uses one. Exceeding it fails with EMFILE.
	MaxUserInstances = "fs.inotify.max_user_instances"
)

// LimitError reports that the system's inotify limit was reached, which the
// kernel reports misleadingly as "no space left on device" (ENOSPC) or "too
// many open files" (EMFILE).
type LimitError struct {
	// Path is the directory that could not be watched, or "" when the
	// watcher itself could not be created.
	Path string
	// Setting is the sysctl to raise: [MaxUserWatches] or [MaxUserInstances].
	Setting string
	// Current is the setting's value as read from /proc/sys, or -1 if it
	// could not be read.
	Current int
	// Err is the underlying error (syscall.ENOSPC or syscall.EMFILE).
	Err error
}

// Error names the setting, its current value and the command to raise it.
func (e *LimitError) Error() string {
	var b strings.Builder
	if e.Path != "" {
		fmt.Fprintf(&b, "watching %s: ", e.Path)
	}
	what := "inotify watch limit"
	if e.Setting == MaxUserInstances {
		what = "inotify instance limit"
	}
	fmt.Fprintf(&b, "%s reached (%v): ", what, e.Err)
	if e.Current >= 0 {
		fmt.Fprintf(&b, "%s is %d", e.Setting, e.Current)
	} else {
		fmt.Fprintf(&b, "%s could not be read", e.Setting)
	}
	want := suggest(e.Setting, e.Current)
	fmt.Fprintf(&b, "; raise it with `sudo sysctl %s=%d`", e.Setting, want)
	fmt.Fprintf(&b, " (to keep it after a reboot: echo %s=%d | sudo tee /etc/sysctl.d/90-watchbox.conf)", e.Setting, want)
	if e.Setting == MaxUserWatches {
		b.WriteString(", or watch fewer directories")
	} else {
		b.WriteString(", or stop other file watchers")
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *LimitError) Unwrap() error { return e.Err }

// suggest returns a value worth raising setting to from current.
func suggest(setting string, current int) int {
	want := 524288
	if setting == MaxUserInstances {
		want = 1024
	}
	if current*2 > want {
		want = current * 2
	}
	return want
}

// readSysctl reads a numeric sysctl such as "fs.inotify.max_user_watches"
// from procSys (normally /proc/sys); -1 if it cannot.
func readSysctl(procSys, setting string) int {
	data, err := os.ReadFile(filepath.Join(procSys, filepath.FromSlash(strings.ReplaceAll(setting, ".", "/"))))
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// limitError turns ENOSPC from adding a watch on path into a *LimitError
// naming max_user_watches, read from procSys, and returns other errors
// unchanged.
func limitError(procSys, path string, err error) error {
	if err == nil || !errors.Is(err, syscall.ENOSPC) {
		return err
	}
	return &LimitError{Path: path, Setting: MaxUserWatches, Current: readSysctl(procSys, MaxUserWatches), Err: syscall.ENOSPC}
}

// instanceError turns EMFILE from creating an inotify instance into a
// *LimitError naming max_user_instances, read from procSys, and returns
// other errors unchanged.
func instanceError(procSys string, err error) error {
	if err == nil || runtime.GOOS != "linux" || !errors.Is(err, syscall.EMFILE) {
		return err
	}
	return &LimitError{Setting: MaxUserInstances, Current: readSysctl(procSys, MaxUserInstances), Err: syscall.EMFILE}
}
