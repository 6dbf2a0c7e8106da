package samples

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/sensors"
)

const s = time.Second

func TestParseCSV(t *testing.T) {
	in := "\xef\xbb\xbf# a comment\r\n\r\nt , bpm\r\n0,72\n  # another\n5, 73.5\n1m30s,101\n95.25,100\n"
	got, err := ParseCSV("hr.csv", []byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Sample{{0, 72, 4}, {5 * s, 73.5, 6}, {90 * s, 101, 7}, {95*s + 250*time.Millisecond, 100, 8}}
	if got.Name != "bpm" || got.Interp != Linear || !got.Start.IsZero() || !equal(got.Samples, want) {
		t.Errorf("got %+v", got)
	}
}

func TestParseAbsolute(t *testing.T) {
	in := "time,hr\n2026-06-01T07:00:00Z,70\n2026-06-01T09:00:05.5+02:00,80\n"
	got, err := ParseCSV("hr.csv", []byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Sample{{0, 70, 2}, {5500 * time.Millisecond, 80, 3}}
	if !equal(got.Samples, want) || !got.Start.Equal(time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("got %+v", got)
	}
	start := time.Date(2026, 6, 1, 6, 59, 0, 0, time.UTC)
	got, err = ParseCSV("hr.csv", []byte(in), Options{Start: start, Interp: Step})
	if err != nil {
		t.Fatal(err)
	}
	if got.Samples[0].T != time.Minute || got.Interp != Step || !got.Start.Equal(start) {
		t.Errorf("with Start: got %+v", got)
	}
}

func TestParseJSON(t *testing.T) {
	for _, in := range []string{
		`[{"t":0,"v":72},{"t":"5s","v":73.5},
		  {"t":"1m30s","v":101}]`,
		`{"name":"heart_rate","unit":"count/min","interpolation":"step",
		  "samples":[{"t":0,"v":72},{"t":"5s","v":73.5},
		  {"t":90,"v":101}]}`,
	} {
		got, err := Parse("hr.json", []byte(in), Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := []Sample{{0, 72, 1}, {5 * s, 73.5, 1}, {90 * s, 101, 2}}
		if strings.HasPrefix(in, "{") {
			for i := range want {
				want[i].Line++
			}
			if got.Name != "heart_rate" || got.Interp != Step {
				t.Errorf("object: got %+v", got)
			}
		}
		if !equal(got.Samples, want) {
			t.Errorf("%s: got %+v, want %+v", in, got.Samples, want)
		}
	}
	// Parse sniffs JSON in a file without a .json name.
	if got, err := Parse("hr.txt", []byte(" [{\"t\":1,\"v\":2}]"), Options{}); err != nil || got.Samples[0].T != s {
		t.Errorf("sniff: %v %v", got, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, file, in string
		want           []string // each problem's "file:line: start of message"
	}{
		{"empty", "a.csv", "", []string{"a.csv: no samples"}},
		{"only header", "a.csv", "# x\nt,bpm\n", []string{"a.csv: no samples"}},
		{"no header", "a.csv", "\n0,72\n5,73\n", []string{"a.csv:2: the file has no header"}},
		{"bad header", "a.csv", "seconds,bpm\n0,1\n", []string{"a.csv:1: the header's first field is \"seconds\""}},
		{"header fields", "a.csv", "t,bpm,x\n", []string{"a.csv:1: the header has 3 fields"}},
		{"header no name", "a.csv", "t,\n", []string{"a.csv:1: the header's second field is empty"}},
		{"rows", "a.csv", "t,bpm\n0,72\n5\n10,abc\n15,\n,3\nx,3\n-5,3\n20,NaN\n20,1,2\n", []string{
			"a.csv:3: expected 2 fields",
			"a.csv:4: value \"abc\" is not a number",
			"a.csv:5: the value is empty",
			"a.csv:6: the time is empty",
			"a.csv:7: time \"x\" is neither seconds",
			"a.csv:8: time \"-5\" is negative",
			"a.csv:9: value NaN is not a finite number",
			"a.csv:10: expected 2 fields, time,value, got 3: \"20,1,2\" (a decimal comma? write 142.5, not 142,5)",
		}},
		{"order", "a.csv", "t,bpm\n0,1\n10,2\n10,3\n5,4\n", []string{
			"a.csv:4: time 10 is not after the previous sample's (line 3)",
			"a.csv:5: time 5 is not after the previous sample's (line 3)",
		}},
		{"mixed kinds", "a.csv", "t,bpm\n0,1\n2026-06-01T07:00:00Z,2\n", []string{"a.csv:3: time \"2026-06-01T07:00:00Z\" is one of the RFC 3339 times, but line 2"}},
		{"bad date", "a.csv", "t,bpm\n2026-06-01 07:00,1\n", []string{"a.csv:2: time \"2026-06-01 07:00\" is not an RFC 3339 time"}},
		{"not utf8", "a.csv", "t,bpm\n0,\xff\n", []string{"a.csv:2: the line is not valid UTF-8"}},
		{"json syntax", "a.json", "[\n{\"t\":0,\"v\":1},\n{\"t\":1 \"v\":2}\n]", []string{"a.json:3: invalid JSON"}},
		{"json eof", "a.json", "[\n{\"t\":0,\"v\":1},\n", []string{"a.json:3: the JSON ends early"}},
		{"json scalar", "a.json", "42", []string{"a.json:1: the file must hold a JSON array"}},
		{"json samples", "a.json", "[\n{\"t\":0},\n{\"t\":1,\"v\":\"2\"},\n{\"t\":true,\"v\":2},\n{\"t\":2,\"v\":2,\"x\":1},\n3,\n{\"t\":\"1m\",\"v\":1}\n]", []string{
			"a.json:2: a sample needs both",
			"a.json:3: \"v\" must be a number",
			"a.json:4: \"t\" must be seconds",
			"a.json:5: a sample must be an object",
			"a.json:6: a sample must be an object",
		}},
		{"json object", "a.json", "{\n\"name\":\"x\",\n\"interp\":\"step\",\n\"interpolation\":\"cubic\"\n}", []string{
			"a.json:3: unknown key \"interp\"",
			"a.json:4: interpolation \"cubic\" is unknown",
			"a.json:1: the object has no \"samples\" array",
		}},
		{"json samples not array", "a.json", "{\"samples\":{}}", []string{"a.json:1: \"samples\" must be an array"}},
		{"json trailing", "a.json", "[{\"t\":0,\"v\":1}]\n[]", []string{"a.json:2: unexpected data"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.file, []byte(c.in), Options{})
			if err == nil {
				t.Fatal("no error")
			}
			var es sensors.Errors
			if !errors.As(err, &es) {
				t.Fatalf("error %T %v is not sensors.Errors", err, err)
			}
			if len(es) != len(c.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(es), len(c.want), err)
			}
			for i, e := range es {
				if !strings.HasPrefix(e.Error(), c.want[i]) {
					t.Errorf("problem %d:\n got  %s\n want %s...", i, e, c.want[i])
				}
			}
		})
	}
}

func TestMaxErrors(t *testing.T) {
	in := "t,bpm\n" + strings.Repeat("x,1\n", 100)
	_, err := ParseCSV("a.csv", []byte(in), Options{})
	var es sensors.Errors
	if !errors.As(err, &es) || len(es) != sensors.MaxErrors {
		t.Fatalf("got %v", err)
	}
}

func TestAt(t *testing.T) {
	sr := &Series{Interp: Linear, Samples: []Sample{{T: 10 * s, V: 100}, {T: 20 * s, V: 110}, {T: 30 * s, V: 90}}}
	for _, c := range []struct {
		d      time.Duration
		linear float64
		step   float64
		ok     bool
	}{
		{9 * s, 0, 0, false},
		{10 * s, 100, 100, true},
		{12500 * time.Millisecond, 102.5, 100, true},
		{20 * s, 110, 110, true},
		{25 * s, 100, 110, true},
		{29 * s, 92, 110, true},
		{30 * s, 90, 90, true},
		{30*s + 1, 0, 0, false},
	} {
		sr.Interp = Linear
		v, ok := sr.At(c.d)
		if v != c.linear || ok != c.ok {
			t.Errorf("linear At(%v) = %v, %v; want %v, %v", c.d, v, ok, c.linear, c.ok)
		}
		sr.Interp = Step
		v, ok = sr.At(c.d)
		if v != c.step || ok != c.ok {
			t.Errorf("step At(%v) = %v, %v; want %v, %v", c.d, v, ok, c.step, c.ok)
		}
	}
	if f, l := sr.Span(); f != 10*s || l != 30*s {
		t.Errorf("Span = %v, %v", f, l)
	}
	h := sensors.Hold(sr)
	if v, ok := h.At(0); v != 100 || !ok {
		t.Errorf("Hold before: %v %v", v, ok)
	}
	if v, ok := h.At(time.Hour); v != 90 || !ok {
		t.Errorf("Hold after: %v %v", v, ok)
	}
}

func TestCheckRange(t *testing.T) {
	sr, err := ParseCSV("hr.csv", []byte("t,bpm\n0,72\n5,300\n10,80\n15,10\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = sr.CheckRange(20, 250, "heart rate")
	want := "hr.csv:3: heart rate 300 at 5s is outside 20..250; check the value column's unit\nhr.csv:5: heart rate 10 at 15s is outside 20..250; check the value column's unit"
	if err == nil || err.Error() != want {
		t.Errorf("got %v", err)
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	sr := &Series{Name: "bpm", Samples: []Sample{{T: 0, V: 72}, {T: 1500 * time.Millisecond, V: 73.25}, {T: 3*time.Hour + 1, V: 1e-7}}}
	var buf bytes.Buffer
	if err := sr.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if want := "t,bpm\n0,72\n1.5,73.25\n10800.000000001,0.0000001\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
	back, err := ParseCSV("x.csv", buf.Bytes(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range back.Samples {
		if back.Samples[i].T != sr.Samples[i].T || back.Samples[i].V != sr.Samples[i].V {
			t.Errorf("sample %d: %+v != %+v", i, back.Samples[i], sr.Samples[i])
		}
	}
}

func equal(a, b []Sample) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReadFile(t *testing.T) {
	sr, err := ReadFile("testdata/hr-30min.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if first, last := sr.Span(); sr.Name != "bpm" || first != 0 || last != 30*time.Minute || len(sr.Samples) != 361 {
		t.Errorf("got %q %v..%v %d samples", sr.Name, first, last, len(sr.Samples))
	}
	if _, err := ReadFile("testdata/missing.csv", Options{}); err == nil || err.Error() != "testdata/missing.csv: sample file not found" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ReadFile("testdata", Options{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}
