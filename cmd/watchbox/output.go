package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
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

// createTrace creates the file of --trace, saying which flag named it when
// it cannot.
func createTrace(path string) (*os.File, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--trace: cannot create the trace file: %w; name a file in a directory you can write to", err)
	}
	return f, nil
}
