package guest

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
)

// Caps on what a guest's output makes the host hold (docs/design.md, "What
// a guest can make the host hold"). The bytes a call may log in all are the
// profile's output_bytes_per_call.
const (
	// maxLine caps one log line, like the log import's maxLogLine: the
	// rest of a longer line is dropped and counted on the line.
	maxLine = maxLogLine
	// maxTailLine caps each stderr line kept for crash reports, and
	// maxTail the reason's quote of them: a crash report quotes at most
	// maxTail bytes of the last lines, however long they were.
	maxTailLine = 512
	maxTail     = 2 << 10
	// maxFatalLines caps the lines of a Go runtime fatal report kept for
	// the crash record (its first lines name the cause and the crashing
	// goroutine; the rest are the runtime's own goroutines).
	maxFatalLines = 64
)

// outputBudget is what one call may still log, shared by the instance's
// stdout, stderr and log import, and what it dropped over that.
type outputBudget struct {
	left    int64
	dropped int64
}

// take reports whether n more bytes may be logged in this call, and
// counts them as dropped when not.
func (b *outputBudget) take(n int64) bool {
	if b.left >= n {
		b.left -= n
		return true
	}
	b.left = 0
	b.dropped += n
	return false
}

// logWriter turns a guest's stdout or stderr into log lines tagged with the
// stream, keeping the last few lines for crash reports. Like the instance it
// belongs to, it is used with the Guest's caller holding its lock.
//
// It holds at most maxLine bytes of a line, whatever the guest writes: a
// longer line is logged cut at maxLine with the number of bytes dropped,
// and lines over the call's output budget are not logged at all (the call
// reports how many bytes it dropped).
type logWriter struct {
	log    zerolog.Logger
	stream string
	budget *outputBudget
	charge func(n int) // charges the running call for n bytes written
	buf    []byte      // the current line, at most maxLine bytes
	over   int64       // bytes of the current line past maxLine
	keep   int
	tail   []string
	// fatal holds a Go runtime fatal report from its first line on (at
	// most maxFatalLines): once one starts, the lines go to the crash
	// record and are logged at debug only.
	fatal    []string
	inFatal  bool
	fatalCut int // lines of the report past maxFatalLines
}

func newLogWriter(log zerolog.Logger, stream string, keep int, budget *outputBudget, charge func(int)) *logWriter {
	return &logWriter{log: log, stream: stream, keep: keep, budget: budget, charge: charge}
}

// Write logs every complete line in p and buffers the start of the rest.
func (w *logWriter) Write(p []byte) (int, error) {
	n := len(p)
	if w.charge != nil {
		w.charge(n)
	}
	for len(p) > 0 {
		seg, rest, nl := bytes.Cut(p, []byte{'\n'})
		p = rest
		if room := maxLine - len(w.buf); len(seg) > room {
			w.over += int64(len(seg) - room)
			seg = seg[:room]
		}
		w.buf = append(w.buf, seg...)
		if nl {
			w.line()
		}
	}
	return n, nil
}

// Flush logs a final unterminated line, if any.
func (w *logWriter) Flush() {
	if len(w.buf) > 0 || w.over > 0 {
		w.line()
	}
}

// Fatal returns the Go runtime fatal report written so far, with a last
// line counting the lines left out, or nil when none started.
func (w *logWriter) Fatal() []string {
	if !w.inFatal {
		return nil
	}
	out := append([]string(nil), w.fatal...)
	if w.fatalCut > 0 {
		out = append(out, fmt.Sprintf("... (%d more lines)", w.fatalCut))
	}
	return out
}

// EndFatal forgets a fatal report the instance survived (a line that
// only looked like one), so that later lines are logged again.
func (w *logWriter) EndFatal() {
	w.fatal, w.inFatal, w.fatalCut = nil, false, 0
}

// Tail returns the last lines written, oldest first, each cut at
// maxTailLine bytes.
func (w *logWriter) Tail() []string {
	return append([]string(nil), w.tail...)
}

// line logs the current line, if the call's budget allows it, and keeps
// it for the tail either way: a crash's last words matter most when the
// guest flooded its output before.
func (w *logWriter) line() {
	s := strings.ToValidUTF8(strings.TrimRight(string(w.buf), "\r"), "\uFFFD")
	over := w.over
	w.buf, w.over = w.buf[:0], 0
	if w.keep > 0 && strings.TrimSpace(s) != "" {
		t := s
		if len(t) > maxTailLine || over > 0 {
			t = strings.ToValidUTF8(t[:min(len(t), maxTailLine)], "") + fmt.Sprintf("... (%d bytes)", int64(len(s))+over)
		}
		w.tail = append(w.tail, t)
		if len(w.tail) > w.keep {
			w.tail = w.tail[1:]
		}
	}
	if w.keep > 0 && !w.inFatal && fatalStart(s) {
		w.inFatal = true
	}
	if w.inFatal {
		if len(w.fatal) < maxFatalLines {
			t := s
			if len(t) > maxTailLine {
				t = strings.ToValidUTF8(t[:maxTailLine], "") + "..."
			}
			w.fatal = append(w.fatal, t)
		} else {
			w.fatalCut++
		}
	}
	if w.budget != nil && !w.budget.take(int64(len(s))+1) {
		w.budget.dropped += over
		return
	}
	ev := w.log.Info().Str("source", w.stream)
	if w.inFatal {
		ev = w.log.Debug().Str("source", w.stream)
	}
	if over > 0 {
		ev = ev.Bool("truncated", true).Int64("dropped_bytes", over)
	}
	ev.Msg(s)
}

// quoteTail joins the last lines of tail for a crash report, newest last,
// in at most maxTail bytes.
func quoteTail(tail []string) string {
	// Each line is at most maxTailLine bytes and a short suffix, so the
	// last one always fits.
	n, first := 0, len(tail)
	for first > 0 && (first == len(tail) || n+len(tail[first-1])+3 <= maxTail) {
		first--
		n += len(tail[first]) + 3
	}
	return strings.Join(tail[first:], " | ")
}

func zerologLevel(l abi.Level) zerolog.Level {
	switch l {
	case abi.LevelDebug:
		return zerolog.DebugLevel
	case abi.LevelWarn:
		return zerolog.WarnLevel
	case abi.LevelError:
		return zerolog.ErrorLevel
	}
	return zerolog.InfoLevel
}

// reset makes the writer a new instance's: no buffered line, no tail,
// logging to log.
func (w *logWriter) reset(log zerolog.Logger) {
	w.log, w.buf, w.over, w.tail = log, w.buf[:0], 0, nil
}
