package sensors

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Source is a time series of one quantity, such as heart rate in beats per
// minute or distance in metres, indexed by the offset since the start of
// its session.
//
// Both file-backed series (samples.Series, gpx.Track's sources) and
// synthetic ones implement it, so a workout can take either.
type Source interface {
	// At returns the value at offset d since the session start. ok is
	// false where the source has no value: outside Span, and inside it
	// where the data has a gap (a GPX point without heart rate, say).
	At(d time.Duration) (v float64, ok bool)
	// Span returns the offsets of the first and the last data. A source
	// with a single sample has first == last.
	Span() (first, last time.Duration)
}

// Error is one problem in a data file: what is wrong, where, and what to
// do about it.
type Error struct {
	// File is the file's name as the caller gave it ("" when the data did
	// not come from a file).
	File string
	// Line is the 1-based line of the problem, or 0 for a problem with the
	// file as a whole.
	Line int
	// Msg says what is wrong and, where it is not obvious, what to do.
	Msg string
}

// Error implements error: "FILE:LINE: MSG", leaving out what is unknown.
func (e *Error) Error() string {
	file := e.File
	if file == "" {
		file = "<data>"
	}
	if e.Line == 0 {
		return file + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", file, e.Line, e.Msg)
}

// MaxErrors is how many problems a parser reports before it stops reading
// a file.
const MaxErrors = 20

// Errors is every problem found in a data file, in file order; at most
// MaxErrors of them.
type Errors []*Error

// Error implements error: one problem a line.
func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns es as an error, or nil when es is empty.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Excerpt bounds text that a parser's error quotes to 40 characters, so a
// bad file's long line or value does not become a long error.
func Excerpt(s string) string {
	const n = 40
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "..."
}
