package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestExecInterrupted: a Ctrl-C of watchbox exec, whenever it comes, is
// an interrupted run (exit 1), not the guest's failure. It was reported
// as deadline_exceeded, exit 4, though no --timeout was given.
func TestExecInterrupted(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	for _, after := range []time.Duration{0, 300 * time.Millisecond} {
		ctx, cancel := context.WithCancel(context.Background())
		if after == 0 {
			cancel()
		} else {
			time.AfterFunc(after, cancel)
		}
		code, out, errb := runCmd(t, func(_ context.Context, args []string, o, e *bytes.Buffer) int {
			return execCommand(ctx, args, o, e)
		}, "--cache", cache, cKernels, "--invoke", "fib", "60")
		cancel()
		if code != exitError || !strings.Contains(out, "outcome: interrupted") {
			t.Errorf("interrupted after %v: exit %d, want %d, outcome interrupted\nstdout:\n%s\nstderr:\n%s", after, code, exitError, out, errb)
		}
	}
}

// TestExecInterruptedUnmetered: --no-meter without --timeout runs code
// nothing can stop; a Ctrl-C ends watchbox exec anyway. It was ignored
// until the module ended (a second Ctrl-C killed the process).
func TestExecInterruptedUnmetered(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	done := make(chan struct{})
	var code int
	var errb string
	go func() {
		defer close(done)
		code, _, errb = runCmd(t, func(_ context.Context, args []string, o, e *bytes.Buffer) int {
			return execCommand(ctx, args, o, e)
		}, "--no-meter", "--cache", t.TempDir(), cKernels, "--invoke", "fib", "42") // about 2 s: it goes on after the test
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("watchbox exec --no-meter did not end a minute after its interrupt")
	}
	if code != exitError || !strings.Contains(errb, "interrupted; it ran unmetered and without --timeout") {
		t.Errorf("exit %d, want %d\nstderr:\n%s", code, exitError, errb)
	}
}
