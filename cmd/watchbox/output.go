package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
)

// newLogger returns the logger for a command: JSON lines with --json,
// otherwise zerolog's human-readable console format (coloured on a
// terminal).
func newLogger(w io.Writer, asJSON bool, level string) (zerolog.Logger, error) {
	return newTeeLogger(w, asJSON, level, nil)
}

// newTeeLogger is newLogger that also hands every record at info level or
// above, whatever --log-level says, to tee (nil for none): a trace takes
// the apps' state changes from the log.
func newTeeLogger(w io.Writer, asJSON bool, level string, tee io.Writer) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Logger{}, fmt.Errorf("bad --log-level %q: use debug, info, warn or error", level)
	}
	out := w
	if !asJSON {
		color := false
		if f, ok := w.(*os.File); ok {
			color = isatty.IsTerminal(f.Fd())
		}
		out = zerolog.ConsoleWriter{Out: w, NoColor: !color, TimeFormat: "15:04:05.000"}
	}
	if tee == nil {
		return zerolog.New(out).Level(lvl).With().Timestamp().Logger(), nil
	}
	both := zerolog.MultiLevelWriter(levelFilter{out, lvl}, levelFilter{tee, zerolog.InfoLevel})
	return zerolog.New(both).Level(min(lvl, zerolog.InfoLevel)).With().Timestamp().Logger(), nil
}

// levelFilter passes on the records at level min or above.
type levelFilter struct {
	w   io.Writer
	min zerolog.Level
}

func (f levelFilter) Write(p []byte) (int, error) { return f.w.Write(p) }

func (f levelFilter) WriteLevel(l zerolog.Level, p []byte) (int, error) {
	if l < f.min {
		return len(p), nil
	}
	return f.w.Write(p)
}

// writeJSON writes v as one line of JSON.
func writeJSON(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	w.Write(append(b, '\n'))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// createTrace opens the file of --trace, saying which flag named it when
// it cannot. The file is left as it was (a trace of an earlier run, or
// none) until start: a run that fails before its apps are loaded does not
// empty it. From start on, the trace is written to it as it happens, so
// that a run killed later still leaves the trace up to then.
func createTrace(path string) (*traceOutput, error) {
	_, err := os.Stat(path)
	created := errors.Is(err, fs.ErrNotExist)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		return nil, fmt.Errorf("--trace: cannot create the trace file: %w; name a file in a directory you can write to", err)
	}
	return &traceOutput{f: f, created: created}, nil
}

// traceOutput is the --trace file: what is written before start is held
// in memory.
type traceOutput struct {
	mu      sync.Mutex
	f       *os.File
	created bool // the file did not exist before createTrace
	started bool
	early   bytes.Buffer // written before start
}

func (t *traceOutput) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.started {
		return t.early.Write(p)
	}
	return t.f.Write(p)
}

// start empties the file and writes what was held, then the trace as it
// comes.
func (t *traceOutput) start() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.started {
		return nil
	}
	t.started = true
	// A FIFO or /dev/stdout is neither truncated nor needs to be.
	if fi, err := t.f.Stat(); err == nil && fi.Mode().IsRegular() {
		if err := t.f.Truncate(0); err != nil {
			return fmt.Errorf("--trace: %w", err)
		}
	}
	_, err := t.f.Write(t.early.Bytes())
	t.early = bytes.Buffer{}
	return err
}

// close ends the trace: kept if it started, else the file is left as it
// was (removed if createTrace made it).
func (t *traceOutput) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.f.Close()
	if !t.started && t.created {
		os.Remove(t.f.Name())
	}
}
