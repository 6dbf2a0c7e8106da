package peripheral

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/watchbox/watchbox/host/sensors/samples"
)

// MaxValue is the longest characteristic value, in bytes: the Bluetooth
// Core Specification's limit on an attribute value.
const MaxValue = 512

// MaxName is the longest peripheral name, in bytes.
const MaxName = 64

// Value is what a simulated characteristic holds: fixed bytes, or a time
// series whose value at a time is its last sample at or before it (a
// peripheral sends discrete samples), sent as the number's decimal text
// ("72", "36.6").
type Value struct {
	// Bytes is a fixed value (used when Series is nil).
	Bytes []byte
	// Series is a time series, such as a heart-rate file; its offset 0 is
	// when the value is declared, or its own start when the file gives
	// absolute times.
	Series *samples.Series
}

// characteristic is one characteristic of a simulated peripheral.
type characteristic struct {
	service, uuid string
	fixed         []byte
	series        *samples.Series
	start         time.Time // what the series' offset 0 stands for
	changed       time.Time // when it was last declared
}

// at returns the value at t and when it next changes after t (zero when
// it never does).
func (c *characteristic) at(t time.Time) (v []byte, next time.Time) {
	if c.series == nil {
		return c.fixed, time.Time{}
	}
	ss := c.series.Samples
	d := t.Sub(c.start)
	i, _ := slices.BinarySearchFunc(ss, d, func(s samples.Sample, d time.Duration) int {
		switch {
		case s.T > d:
			return 1
		case s.T < d:
			return -1
		}
		return 0
	})
	// i is the first sample at or after d.
	cur := 0
	switch {
	case i < len(ss) && ss[i].T == d:
		cur = i
	case i > 0:
		cur = i - 1
	}
	if cur+1 < len(ss) {
		next = c.start.Add(ss[cur+1].T) // before the first sample, the first value is held
	}
	return []byte(strconv.FormatFloat(ss[cur].V, 'f', -1, 64)), next
}

// Peripheral is one simulated peripheral as `status` shows it.
type Peripheral struct {
	// Name is the peripheral's name.
	Name string
	// Characteristics are its characteristics, SERVICE/CHARACTERISTIC,
	// sorted.
	Characteristics []string
}

// World holds the simulated Bluetooth peripherals around the watch: the
// runtime has one, which every app's feature reads. It is safe for
// concurrent use.
type World struct {
	mu    sync.Mutex
	perip map[string]map[string]*characteristic // name -> SERVICE/CHAR -> characteristic
}

// NewWorld returns a world with no peripherals.
func NewWorld() *World { return &World{perip: map[string]map[string]*characteristic{}} }

// CheckName says what is wrong with name as a peripheral name, or "".
func CheckName(name string) string {
	switch {
	case name == "":
		return "a peripheral needs a name"
	case len(name) > MaxName:
		return fmt.Sprintf("the peripheral name is %d bytes; at most %d", len(name), MaxName)
	case !utf8.ValidString(name):
		return "the peripheral name is not UTF-8"
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '/' }):
		return fmt.Sprintf("the peripheral name %q has a control character or '/'", name)
	}
	return ""
}

// UUID returns u as a GATT UUID in its canonical form (upper case), or
// an error saying what is wrong: 4 or 8 hex digits (a 16- or 32-bit
// UUID, such as 180D), or 36 characters in the 8-4-4-4-12 form.
func UUID(u string) (string, error) {
	up := strings.ToUpper(u)
	hex := func(s string) bool {
		return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !('0' <= r && r <= '9' || 'A' <= r && r <= 'F') })
	}
	switch len(up) {
	case 4, 8:
		if hex(up) {
			return up, nil
		}
	case 36:
		parts := strings.Split(up, "-")
		if len(parts) == 5 && len(parts[0]) == 8 && len(parts[1]) == 4 && len(parts[2]) == 4 && len(parts[3]) == 4 && len(parts[4]) == 12 &&
			hex(parts[0]) && hex(parts[1]) && hex(parts[2]) && hex(parts[3]) && hex(parts[4]) {
			return up, nil
		}
	}
	if len(u) > 40 {
		u = u[:40] + "..."
	}
	return "", fmt.Errorf("%q is not a Bluetooth UUID: use 4 or 8 hex digits (180D) or the 36-character form", u)
}

// ParseCharacteristic splits "SERVICE/CHARACTERISTIC" into two canonical
// UUIDs.
func ParseCharacteristic(s string) (service, char string, err error) {
	sv, ch, ok := strings.Cut(s, "/")
	if !ok {
		return "", "", fmt.Errorf("%q is not SERVICE/CHARACTERISTIC (as in 180D/2A37)", s)
	}
	if service, err = UUID(sv); err != nil {
		return "", "", err
	}
	if char, err = UUID(ch); err != nil {
		return "", "", err
	}
	return service, char, nil
}

// Declare adds peripheral name, or adds to it, the characteristic
// service/char holding v from now on, replacing its earlier value.
func (w *World) Declare(name, service, char string, v Value, now time.Time) error {
	if p := CheckName(name); p != "" {
		return fmt.Errorf("host: %s", p)
	}
	var err error
	if service, err = UUID(service); err != nil {
		return fmt.Errorf("host: service %w", err)
	}
	if char, err = UUID(char); err != nil {
		return fmt.Errorf("host: characteristic %w", err)
	}
	c := &characteristic{service: service, uuid: char, changed: now}
	switch {
	case v.Series != nil:
		if len(v.Series.Samples) == 0 {
			return fmt.Errorf("host: the series for %s/%s of %q has no samples", service, char, name)
		}
		c.series, c.start = v.Series, now
		if !v.Series.Start.IsZero() {
			c.start = v.Series.Start
		}
	case len(v.Bytes) > MaxValue:
		return fmt.Errorf("host: the value of %s/%s is %d bytes; a Bluetooth attribute holds at most %d", service, char, len(v.Bytes), MaxValue)
	default:
		c.fixed = append([]byte{}, v.Bytes...)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	cs := w.perip[name]
	if cs == nil {
		cs = map[string]*characteristic{}
		w.perip[name] = cs
	}
	cs[service+"/"+char] = c
	return nil
}

// Remove takes peripheral name out of range; it reports whether there
// was one.
func (w *World) Remove(name string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.perip[name]
	delete(w.perip, name)
	return ok
}

// Peripherals returns every peripheral, in name order.
func (w *World) Peripherals() []Peripheral {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Peripheral, 0, len(w.perip))
	for name, cs := range w.perip {
		p := Peripheral{Name: name}
		for k := range cs {
			p.Characteristics = append(p.Characteristics, k)
		}
		slices.Sort(p.Characteristics)
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Peripheral) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// scan returns the names of the peripherals offering service ("": any),
// in order.
func (w *World) scan(service string) []string {
	var out []string
	for _, p := range w.Peripherals() {
		for _, c := range p.Characteristics {
			if service == "" || strings.HasPrefix(c, service+"/") {
				out = append(out, p.Name)
				break
			}
		}
	}
	return out
}

// discover returns peripheral name's characteristics, SERVICE/CHAR,
// sorted, and whether it exists.
func (w *World) discover(name string) ([]string, bool) {
	for _, p := range w.Peripherals() {
		if p.Name == name {
			return p.Characteristics, true
		}
	}
	return nil, false
}

// missing says what of peripheral name, service and char (each may be
// "": not asked) does not exist: "peripheral", "service",
// "characteristic", or "".
func (w *World) missing(name, service, char string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	cs, ok := w.perip[name]
	if !ok {
		return "peripheral"
	}
	if service == "" {
		return ""
	}
	found := false
	for k := range cs {
		if strings.HasPrefix(k, service+"/") {
			found = true
			break
		}
	}
	if !found {
		return "service"
	}
	if char != "" && cs[service+"/"+char] == nil {
		return "characteristic"
	}
	return ""
}

// value returns the value of a characteristic at t, when it next changes
// (zero: never), and whether it exists.
func (w *World) value(name, service, char string, t time.Time) (v []byte, next time.Time, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.perip[name][service+"/"+char]
	if c == nil {
		return nil, time.Time{}, false
	}
	v, next = c.at(t)
	return v, next, true
}
