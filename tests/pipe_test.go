package tests

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestClosedPipeCleansUp reads one line of `watchbox simulate` and closes
// the pipe, as `| head -1` does. Before, the next write killed watchbox
// (SIGPIPE), and the temporary data directory simulate makes stayed in
// $TMPDIR, one per run; now the closed pipe stops the command as an
// interrupt does, it removes the directory, and it exits 141, as a shell
// reports a process SIGPIPE ended.
func TestClosedPipeCleansUp(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	cmd := exec.Command(watchboxBin, "simulate", "tests/scenarios/day.scenario") // 130 KB of timeline: more than a pipe holds
	cmd.Dir = repoRoot
	cmd.Env = append(env(t), "TMPDIR="+tmp)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil || !strings.Contains(line, "> launch") {
		t.Errorf("first line %q (%v), want the timeline's first launch", line, err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 141 {
		t.Errorf("watchbox simulate | head -1: %v, want exit code 141\nstderr:\n%s", err, stderr.String())
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "watchbox-simulate-*")); len(left) > 0 {
		t.Errorf("left behind: %q", left)
	}
}
