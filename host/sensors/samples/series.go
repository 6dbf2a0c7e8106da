package samples

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/watchbox/watchbox/host/sensors"
)

// Interp is how a Series gives values between its samples.
type Interp int

const (
	// Auto is no choice: the file's "interpolation" (JSON) or Linear.
	Auto Interp = iota
	// Linear interpolates linearly between the two samples around a time.
	Linear
	// Step holds each sample's value until the next sample (last value).
	Step
)

// String returns "linear", "step" or "auto".
func (i Interp) String() string {
	switch i {
	case Linear:
		return "linear"
	case Step:
		return "step"
	}
	return "auto"
}

// Sample is one value at one time.
type Sample struct {
	// T is the offset since the session start.
	T time.Duration
	// V is the value.
	V float64
	// Line is the sample's line in its file (0 for generated samples).
	Line int
}

// Series is a time series of one quantity: samples in strictly increasing
// time order. It implements sensors.Source.
type Series struct {
	// Name is the quantity's name: the CSV value column's header, the
	// JSON "name", or what a generator names it ("heart_rate").
	Name string
	// File is the file the series was read from ("" if generated).
	File string
	// Start is the time offset 0 stands for when the file gave absolute
	// times; zero when it gave offsets.
	Start time.Time
	// Interp is how At fills the time between samples (Linear or Step;
	// Auto acts as Linear).
	Interp Interp
	// Samples are the values, at least one, times strictly increasing.
	Samples []Sample
}

var _ sensors.Source = (*Series)(nil)

// At returns the value at offset d: interpolated linearly between the
// samples around d (Linear), or the value of the last sample at or before
// d (Step). At a sample's own time it is that sample's value. ok is false
// before the first sample and after the last: At never extrapolates (wrap
// the series in sensors.Hold to hold the end values).
func (s *Series) At(d time.Duration) (float64, bool) {
	n := len(s.Samples)
	if n == 0 || d < s.Samples[0].T || d > s.Samples[n-1].T {
		return 0, false
	}
	// i is the first sample after d; i >= 1 since Samples[0].T <= d.
	i := sort.Search(n, func(i int) bool { return s.Samples[i].T > d })
	a := s.Samples[i-1]
	if a.T == d || i == n || s.Interp == Step {
		return a.V, true
	}
	b := s.Samples[i]
	return lerp(a.V, b.V, float64(d-a.T)/float64(b.T-a.T)), true
}

// lerp is a + (b-a)*f, with the product rounded on its own so that no
// platform fuses it into one instruction: the result is the same on every
// machine.
func lerp(a, b, f float64) float64 {
	return a + float64((b-a)*f)
}

// Span returns the times of the first and the last sample.
func (s *Series) Span() (first, last time.Duration) {
	if len(s.Samples) == 0 {
		return 0, 0
	}
	return s.Samples[0].T, s.Samples[len(s.Samples)-1].T
}

// CheckRange reports every sample whose value is outside [lo, hi], with its
// line, as sensors.Errors; what names the quantity in messages ("heart
// rate"). It returns nil when all are inside.
func (s *Series) CheckRange(lo, hi float64, what string) error {
	var es sensors.Errors
	for _, x := range s.Samples {
		if x.V < lo || x.V > hi {
			es = append(es, &sensors.Error{File: s.File, Line: x.Line,
				Msg: fmt.Sprintf("%s %s at %v is outside %s..%s; check the value column's unit", what, fmtFloat(x.V), x.T, fmtFloat(lo), fmtFloat(hi))})
			if len(es) == sensors.MaxErrors {
				break
			}
		}
	}
	return es.Err()
}

// WriteCSV writes s in the CSV format ParseCSV reads, with offsets in
// seconds: a header "t,NAME" (NAME "value" when s has none), then one
// "SECONDS,VALUE" line a sample. Reading the output back gives the same
// samples (without Start, Line and Interp) when no offset is negative;
// negative offsets, which only absolute times before Options.Start give,
// are written but ParseCSV refuses them.
func (s *Series) WriteCSV(w io.Writer) error {
	name := s.Name
	if name == "" {
		name = "value"
	}
	b := []byte("t," + name + "\n")
	for _, x := range s.Samples {
		b = append(b, fmtSeconds(x.T)...)
		b = append(b, ',')
		b = strconv.AppendFloat(b, x.V, 'f', -1, 64)
		b = append(b, '\n')
	}
	_, err := w.Write(b)
	return err
}

// fmtSeconds formats d as decimal seconds, exactly: "5", "12.5",
// "-0.000000001".
func fmtSeconds(d time.Duration) string {
	sign := ""
	u := uint64(d)
	if d < 0 {
		sign, u = "-", uint64(-d) // -MinInt64 wraps to itself: still right as uint64
	}
	sec, ns := u/1e9, u%1e9
	if ns == 0 {
		return sign + strconv.FormatUint(sec, 10)
	}
	frac := strings.TrimRight(fmt.Sprintf("%09d", ns), "0")
	return sign + strconv.FormatUint(sec, 10) + "." + frac
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
