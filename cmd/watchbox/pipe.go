package main

import (
	"errors"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/mattn/go-isatty"
)

// closedPipe makes a write to stdout or stderr whose reader has gone away
// (watchbox simulate ... | head -1) stop the command as an interrupt does,
// rather than kill the process at that write: a command stopped so cleans
// up (simulate's temporary data directory, the apps' leaving calls).
type closedPipe struct {
	stop   func() // cancels the command's context
	broken atomic.Bool
}

// watchOutputs makes writes to a closed pipe fail with EPIPE instead of
// killing the process (SIGPIPE), and returns stdout and stderr, each
// wrapped unless it is a terminal (which is never a closed pipe, and whose
// *os.File the logger needs to colour its lines), and the closedPipe whose
// stop it calls on EPIPE.
func watchOutputs(stdout, stderr *os.File, stop func()) (io.Writer, io.Writer, *closedPipe) {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	p := &closedPipe{stop: stop}
	return p.wrap(stdout), p.wrap(stderr), p
}

func (p *closedPipe) wrap(f *os.File) io.Writer {
	if isatty.IsTerminal(f.Fd()) {
		return f
	}
	return pipeWriter{f, p}
}

// Broken reports whether a write found the pipe closed.
func (p *closedPipe) Broken() bool { return p.broken.Load() }

// exitClosedPipe is the exit code of a command whose output pipe closed:
// 141, as a shell reports a process that SIGPIPE ended, which is how
// watchbox ended before it stopped cleanly.
const exitClosedPipe = 128 + 13

type pipeWriter struct {
	f *os.File
	p *closedPipe
}

func (w pipeWriter) Write(b []byte) (int, error) {
	n, err := w.f.Write(b)
	if err != nil && errors.Is(err, syscall.EPIPE) && !w.p.broken.Swap(true) {
		w.p.stop()
	}
	return n, err
}
