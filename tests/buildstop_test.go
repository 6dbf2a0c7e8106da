//go:build unix

package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeGo is a go command whose build never ends by itself: it makes a
// work file, says it started on the FIFO $FAKE/ready, and runs a child
// (as go runs its compilers) until a signal; on SIGINT or SIGTERM it
// removes its work file, as go removes its work directory. Every other
// go command is the real one.
//
// The child says it started, not the script: a signal that reached the
// script while it was still starting its foreground child (between fork
// and exec) was caught by the child's copy of the trap and lost at exec,
// so the child slept on, the script waited for it, and only the SIGKILL
// 10 s later ended them, leaving the work file (a flake of this test, not
// of watchbox). Once the child has written to the FIFO it runs with the
// default signal handling, so the group's SIGINT ends it; a signal to the
// go command alone would not, and the test would fail.
const fakeGo = `#!/bin/sh
if [ "$1" != "build" ]; then exec "$REAL_GO" "$@"; fi
work=$(mktemp "$FAKE/work.XXXXXX")
trap 'rm -f "$work"; exit 130' INT TERM
sh -c 'echo started > "$FAKE/ready"; exec sleep 1000'
rm -f "$work"
`

// TestSignalStopsABuild sends SIGTERM (and SIGINT) to watchbox while it
// builds a Go app: the build's whole process group is interrupted, so
// the go command and its child end and clean up after themselves;
// watchbox says the build stopped and leaves no temporary directory.
// Before, only the go command was killed, with SIGKILL: its child kept
// the output pipes open and watchbox waited for it (here, 1000 s), and
// the go command's work files stayed behind.
func TestSignalStopsABuild(t *testing.T) {
	t.Parallel()
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	for _, c := range []struct {
		sig  os.Signal
		args []string
	}{
		{syscall.SIGTERM, []string{"build", "--rebuild"}},
		{os.Interrupt, []string{"run", "--steps", "status"}},
	} {
		t.Run(c.sig.String()+" "+c.args[0], func(t *testing.T) {
			t.Parallel()
			fake := t.TempDir()
			writeFile(t, fake, "bin/go", []byte(fakeGo))
			if err := os.Chmod(filepath.Join(fake, "bin/go"), 0o755); err != nil {
				t.Fatal(err)
			}
			ready := filepath.Join(fake, "ready")
			if err := syscall.Mkfifo(ready, 0o600); err != nil {
				t.Skip("no FIFOs here:", err)
			}
			cache := t.TempDir()
			environ := append(env(t), "REAL_GO="+realGo, "FAKE="+fake, "PATH="+filepath.Join(fake, "bin")+":"+os.Getenv("PATH"))
			args := append(append(c.args, "--cache", cache), "apps/hello")
			if c.args[0] == "run" {
				args = append(args[:len(args)-1], "--data", t.TempDir(), "apps/hello")
			}
			p := startEnv(t, environ, args...)
			started := make(chan error, 1)
			go func() {
				// Blocks until the fake build writes; read it all, so
				// that its echo does not die of a broken pipe.
				_, err := os.ReadFile(ready)
				started <- err
			}()
			select {
			case err := <-started:
				if err != nil {
					t.Fatal(err)
				}
			case <-p.done:
				t.Fatalf("watchbox ended before its build started\n%s", p.result())
			case <-time.After(3 * time.Minute):
				t.Fatalf("the build did not start\n%s", p.result())
			}
			r := p.signalAndWait(c.sig, time.Minute, "a signal must stop the build")
			expect(t, r, exitError, "build of", "stopped: go build was interrupted; nothing was cached")
			left, _ := filepath.Glob(filepath.Join(fake, "work.*"))
			tmps, _ := filepath.Glob(filepath.Join(cache, "build", ".build-*"))
			if len(left)+len(tmps) > 0 {
				t.Errorf("left behind: %v %v", left, tmps)
			}
			if strings.Contains(r.stderr, "context canceled") {
				t.Errorf("the message is Go's, not watchbox's:\n%s", r)
			}
		})
	}
}
