package peripheral

import (
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/sensors/samples"
)

var t0 = time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)

// A series value is the last sample at or before the time, held before
// the first and after the last; next is the following sample's time.
func TestSeriesValue(t *testing.T) {
	t.Parallel()
	s, err := samples.Parse("hr.csv", []byte("t,bpm\n0,60\n60,61.5\n120,70\n"), samples.Options{Interp: samples.Step})
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorld()
	if err := w.Declare("strap", "180d", "2a37", Value{Series: s}, t0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Duration
		v    string
		next time.Duration // 0: none
	}{
		{-time.Minute, "60", time.Minute}, // before the declaration: held
		{0, "60", time.Minute},
		{59 * time.Second, "60", time.Minute},
		{time.Minute, "61.5", 2 * time.Minute},
		{2 * time.Minute, "70", 0},
		{time.Hour, "70", 0},
	} {
		v, next, ok := w.value("strap", "180D", "2A37", t0.Add(c.at))
		want := time.Time{}
		if c.next != 0 {
			want = t0.Add(c.next)
		}
		if !ok || string(v) != c.v || !next.Equal(want) {
			t.Errorf("at %v: %q next %v ok %v, want %q next %v", c.at, v, next, ok, c.v, want)
		}
	}
}

func TestWorldLookups(t *testing.T) {
	t.Parallel()
	w := NewWorld()
	w.Declare("strap", "180D", "2A37", Value{Bytes: []byte("72")}, t0)
	w.Declare("strap", "180F", "2A19", Value{Bytes: []byte("87")}, t0)
	w.Declare("scale", "181D", "2A9D", Value{Bytes: []byte("70.2")}, t0)
	if got := strings.Join(w.scan("180D"), ","); got != "strap" {
		t.Errorf("scan 180D: %q", got)
	}
	if got := strings.Join(w.scan(""), ","); got != "scale,strap" {
		t.Errorf("scan any: %q", got)
	}
	if cs, ok := w.discover("strap"); !ok || strings.Join(cs, ",") != "180D/2A37,180F/2A19" {
		t.Errorf("discover: %v %v", cs, ok)
	}
	for _, c := range []struct{ p, s, ch, want string }{
		{"strap", "180D", "2A37", ""},
		{"band", "180D", "2A37", "peripheral"},
		{"strap", "1810", "2A37", "service"},
		{"strap", "180D", "2A38", "characteristic"},
		{"strap", "", "", ""},
	} {
		if got := w.missing(c.p, c.s, c.ch); got != c.want {
			t.Errorf("missing(%s %s %s) = %q, want %q", c.p, c.s, c.ch, got, c.want)
		}
	}
	if !w.Remove("strap") || w.Remove("strap") {
		t.Error("Remove")
	}
	if got := w.missing("strap", "", ""); got != "peripheral" {
		t.Errorf("after Remove: %q", got)
	}
}

// Bad input is refused with what is wrong, never a panic.
func TestDeclareRefuses(t *testing.T) {
	t.Parallel()
	w := NewWorld()
	for _, c := range []struct {
		name, s, ch string
		v           Value
		want        string
	}{
		{"", "180D", "2A37", Value{}, "needs a name"},
		{strings.Repeat("x", 65), "180D", "2A37", Value{}, "at most 64"},
		{"a\nb", "180D", "2A37", Value{}, "control character"},
		{"strap", "18", "2A37", Value{}, `service "18" is not a Bluetooth UUID`},
		{"strap", "180D", "zz37", Value{}, `characteristic "zz37" is not a Bluetooth UUID`},
		{"strap", "180D", "2A37", Value{Bytes: make([]byte, 513)}, "at most 512"},
		{"strap", "180D", "2A37", Value{Series: &samples.Series{}}, "no samples"},
	} {
		err := w.Declare(c.name, c.s, c.ch, c.v, t0)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Declare(%q, %q, %q): %v, want %q", c.name, c.s, c.ch, err, c.want)
		}
	}
	if u, err := UUID("0000180d-0000-1000-8000-00805f9b34fb"); err != nil || u != "0000180D-0000-1000-8000-00805F9B34FB" {
		t.Errorf("128-bit UUID: %q %v", u, err)
	}
	if _, _, err := ParseCharacteristic("180D"); err == nil {
		t.Error("ParseCharacteristic without a slash")
	}
}
