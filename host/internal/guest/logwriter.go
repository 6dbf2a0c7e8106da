package guest

import (
	"bytes"
	"strings"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
)

// logWriter turns a guest's stdout or stderr into log lines tagged with the
// stream, keeping the last few lines for crash reports. Like the instance it
// belongs to, it is used with the Guest's caller holding its lock.
type logWriter struct {
	log    zerolog.Logger
	stream string
	buf    []byte
	keep   int
	tail   []string
}

const maxLineBuffer = 16 << 10

func newLogWriter(log zerolog.Logger, stream string, keep int) *logWriter {
	return &logWriter{log: log, stream: stream, keep: keep}
}

// Write logs every complete line in p and buffers the rest.
func (w *logWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.emit(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > maxLineBuffer {
		w.emit(w.buf)
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

// Flush logs a final unterminated line, if any.
func (w *logWriter) Flush() {
	if len(w.buf) > 0 {
		w.emit(w.buf)
		w.buf = w.buf[:0]
	}
}

// Tail returns the last lines written, oldest first.
func (w *logWriter) Tail() []string {
	return append([]string(nil), w.tail...)
}

func (w *logWriter) emit(line []byte) {
	s := strings.ToValidUTF8(strings.TrimRight(string(line), "\r"), "\uFFFD")
	if w.keep > 0 && strings.TrimSpace(s) != "" {
		w.tail = append(w.tail, s)
		if len(w.tail) > w.keep {
			w.tail = w.tail[1:]
		}
	}
	w.log.Info().Str("source", w.stream).Msg(s)
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
