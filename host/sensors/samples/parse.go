package samples

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/watchbox/watchbox/host/input"
	"github.com/watchbox/watchbox/host/sensors"
)

// Options are the choices of the caller of a parser.
type Options struct {
	// Start is the time a file's absolute (RFC 3339) times count from.
	// Zero means the first sample's time: the first sample is at offset
	// 0. Files of offsets ignore it.
	Start time.Time
	// Interp overrides the file's interpolation when not Auto.
	Interp Interp
}

// ReadFile reads the CSV or JSON series at path with input.Read (a
// regular file of at most input.Data's cap) and parses it with Parse.
func ReadFile(path string, opt Options) (*Series, error) {
	b, err := input.Read(path, input.Data)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &sensors.Error{File: path, Msg: "sample file not found"}
		}
		return nil, &sensors.Error{File: path, Msg: input.Reason(err)}
	}
	return Parse(path, b, opt)
}

// Parse parses data as JSON when file ends in ".json" or, for any other
// name, when its first character other than white space is "[" or "{";
// as CSV otherwise. file names the data in errors.
func Parse(file string, data []byte, opt Options) (*Series, error) {
	ext := strings.ToLower(filepath.Ext(file))
	if ext == ".json" {
		return ParseJSON(file, data, opt)
	}
	if ext != ".csv" {
		t := bytes.TrimLeft(bytes.TrimPrefix(data, bom), " \t\r\n")
		if len(t) > 0 && (t[0] == '[' || t[0] == '{') {
			return ParseJSON(file, data, opt)
		}
	}
	return ParseCSV(file, data, opt)
}

var bom = []byte("\xef\xbb\xbf")

// builder collects samples and problems, shared by the CSV and JSON
// parsers.
type builder struct {
	s      Series
	opt    Options
	errs   sensors.Errors
	kind   timeKind // the kind of the first time, for "all one kind"
	kline  int      // the line that set kind
	abs    []time.Time
	prevT  time.Time
	prevD  time.Duration
	prevLn int
}

type timeKind int

const (
	kindNone timeKind = iota
	kindOffset
	kindAbsolute
)

// full reports whether the builder has stopped collecting problems.
func (b *builder) full() bool { return len(b.errs) >= sensors.MaxErrors }

func (b *builder) errf(line int, format string, args ...any) {
	if b.full() {
		return
	}
	b.errs = append(b.errs, &sensors.Error{File: b.s.File, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// parseTime reads a sample time: a Go duration ("90s", "1m30s"), a plain
// number of seconds ("90", "12.5") or an RFC 3339 time
// ("2026-06-01T07:00:05Z").
func parseTime(s string) (d time.Duration, t time.Time, kind timeKind, err error) {
	if s == "" {
		return 0, time.Time{}, kindNone, errors.New("the time is empty")
	}
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return 0, time.Time{}, kindNone, fmt.Errorf("time %q is not an RFC 3339 time such as 2026-06-01T07:00:05Z (a date, \"T\", a clock time and a zone)", sensors.Excerpt(s))
		}
		return 0, t, kindAbsolute, nil
	}
	v := s
	if last := s[len(s)-1]; last >= '0' && last <= '9' || last == '.' {
		v += "s" // a plain number is seconds
	}
	d, err = time.ParseDuration(v)
	if err != nil {
		return 0, time.Time{}, kindNone, fmt.Errorf("time %q is neither seconds (12.5), a duration (1m30s) nor an RFC 3339 time (2026-06-01T07:00:05Z)", sensors.Excerpt(s))
	}
	if d < 0 || strings.HasPrefix(s, "-") {
		return 0, time.Time{}, kindNone, fmt.Errorf("time %q is negative; offsets count from the session start, 0 or more", sensors.Excerpt(s))
	}
	return d, time.Time{}, kindOffset, nil
}

// add records one sample written at line; ts is its time text.
func (b *builder) add(line int, ts string, v float64) {
	d, t, kind, err := parseTime(ts)
	if err != nil {
		b.errf(line, "%v", err)
		return
	}
	if !finite(v) {
		b.errf(line, "value %v is not a finite number", v)
		return
	}
	switch {
	case b.kind == kindNone:
		b.kind, b.kline = kind, line
	case kind != b.kind:
		what := map[timeKind]string{kindOffset: "offsets", kindAbsolute: "RFC 3339 times"}
		b.errf(line, "time %q is one of the %s, but line %d began the file with %s; use one kind of time for all samples", sensors.Excerpt(ts), what[kind], b.kline, what[b.kind])
		return
	}
	if len(b.s.Samples) > 0 {
		if kind == kindAbsolute && !t.After(b.prevT) || kind == kindOffset && d <= b.prevD {
			b.errf(line, "time %s is not after the previous sample's (line %d); samples must be in strictly increasing time order", sensors.Excerpt(ts), b.prevLn)
			return
		}
	}
	b.prevT, b.prevD, b.prevLn = t, d, line
	b.s.Samples = append(b.s.Samples, Sample{T: d, V: v, Line: line})
	if kind == kindAbsolute {
		b.abs = append(b.abs, t)
	}
}

// finish turns absolute times into offsets and returns the series or the
// problems.
func (b *builder) finish() (*Series, error) {
	if len(b.errs) == 0 && len(b.s.Samples) == 0 {
		b.errf(0, "no samples; a %s needs at least one time,value sample", "sample file")
	}
	if len(b.errs) > 0 {
		return nil, b.errs
	}
	if b.kind == kindAbsolute {
		start := b.opt.Start
		if start.IsZero() {
			start = b.abs[0]
		}
		b.s.Start = start
		for i, t := range b.abs {
			d := t.Sub(start)
			// Sub saturates at about ±292 years; such a time is surely a
			// mistake, and saturated offsets would no longer increase.
			if d == time.Duration(1<<63-1) || d == -1<<63 {
				return nil, &sensors.Error{File: b.s.File, Line: b.s.Samples[i].Line,
					Msg: fmt.Sprintf("time %s is centuries from the session start %s", t.Format(time.RFC3339), start.Format(time.RFC3339))}
			}
			b.s.Samples[i].T = d
		}
	}
	if b.opt.Interp != Auto {
		b.s.Interp = b.opt.Interp
	}
	if b.s.Interp == Auto {
		b.s.Interp = Linear
	}
	return &b.s, nil
}
