//go:build unix

package bundle

import (
	"os/exec"
	"syscall"
	"time"
)

// stopKill is how long a go command given SIGINT has to end before its
// whole process group is killed. (go build ends at once, leaving its work
// directory: Build has it made in a directory of its own, which it removes.)
const stopKill = 10 * time.Second

// stopAsGroup makes cmd run in a process group of its own and makes the
// cancellation of its context send SIGINT to that whole group, as a
// terminal's Ctrl-C would: the go command does not forward signals to the
// compilers and linkers it starts, it counts on them getting the signal
// too, and a SIGKILL of the go command alone would leave them running and
// its work directory behind. It returns what to call once cmd has ended.
func stopAsGroup(cmd *exec.Cmd) (done func()) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var kill *time.Timer
	cmd.Cancel = func() error {
		pgid := cmd.Process.Pid
		// The group cannot be reused before cmd has been waited for,
		// and done stops the timer then.
		kill = time.AfterFunc(stopKill, func() { syscall.Kill(-pgid, syscall.SIGKILL) })
		return syscall.Kill(-pgid, syscall.SIGINT)
	}
	cmd.WaitDelay = stopKill + time.Second
	return func() {
		if kill != nil {
			kill.Stop()
		}
	}
}
