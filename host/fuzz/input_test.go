package fuzz

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/scenario"
	"github.com/watchbox/watchbox/host/sensors/gpx"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// TestDecodedActionsAreValid: whatever the bytes, a decoded action is one
// the app's state, and its sessions', allow; every kind of session action
// is decoded.
func TestDecodedActionsAreValid(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	states := []abi.State{abi.StateNotRunning, abi.StateInactive, abi.StateActive, abi.StateBackground, abi.StateSuspended}
	seen := map[drive.Kind]bool{}
	for i := 0; i < 40000; i++ {
		st := states[rng.IntN(len(states))]
		v := view{state: st, hasNote: true, workout: rng.IntN(2) == 0, extended: rng.IntN(2) == 0, audio: rng.IntN(2) == 0}
		r := &bytesIn{b: random(rng)}
		a, ok := next(r, EventKinds(), v)
		if !ok {
			continue
		}
		seen[a.Kind] = true
		fg := st == abi.StateActive || st == abi.StateInactive
		valid := true
		switch a.Kind {
		case drive.BothButtons, drive.Motion, drive.OtherWorkout:
			valid = v.workout
		case drive.Crown:
			valid = fg
		case drive.FireAlarm, drive.SuppressSession:
			valid = v.extended
		case drive.AudioInterruption:
			valid = v.audio
		case drive.HeartRate:
			valid = a.Series != nil && len(a.Series.Samples) >= 2 && a.Series.CheckRange(20, 250, "heart rate") == nil
		case drive.Route:
			valid = a.Track != nil && len(a.Track.Points) >= 2
		case drive.Peripheral:
			valid = a.Peripheral != "" && (!a.On || (a.Characteristic != "" && len(a.Value) > 0))
		case drive.WristDown:
			valid = st == abi.StateActive
		case drive.Background:
			valid = st == abi.StateActive || st == abi.StateInactive
		case drive.Suspend:
			valid = st != abi.StateNotRunning && st != abi.StateSuspended
		case drive.Purge:
			valid = st == abi.StateBackground || st == abi.StateSuspended
		case drive.Launch:
			valid = st != abi.StateActive
		case drive.Expire:
			valid = st != abi.StateNotRunning
		case drive.Push:
			valid = a.Push != nil && len(a.Payload) > 0
		}
		if !valid {
			t.Fatalf("%v decoded in %+v", a, v)
		}
	}
	for _, k := range []drive.Kind{drive.BothButtons, drive.Motion, drive.OtherWorkout, drive.HeartRate, drive.Route,
		drive.Crown, drive.FireAlarm, drive.SuppressSession, drive.BAR, drive.AudioInterruption, drive.Headphones,
		drive.BluetoothAlert, drive.Peripheral} {
		if !seen[k] {
			t.Errorf("no %s action decoded", k)
		}
	}
}

func readSeries(t *testing.T, file string) *samples.Series {
	t.Helper()
	s, err := samples.ReadFile(file, samples.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readTrack(t *testing.T, file string) *gpx.Track {
	t.Helper()
	tr, err := gpx.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func sameRoute(a, b *gpx.Track) bool {
	if len(a.Points) != len(b.Points) {
		return false
	}
	for i, p := range a.Points {
		q := b.Points[i]
		if p.Lat != q.Lat || p.Lon != q.Lon || !p.Time.Equal(q.Time) {
			return false
		}
	}
	return true
}

func TestCorpusFileRoundTrip(t *testing.T) {
	t.Parallel()
	for _, in := range [][]byte{nil, {0}, []byte("a\"b\\c\n\x00\xff"), make([]byte, 300)} {
		got, err := DecodeCorpusFile(EncodeCorpusFile(in))
		if err != nil || string(got) != string(in) {
			t.Errorf("%q: got %q, %v", in, got, err)
		}
	}
	// A file that go test wrote: string literal and CRLF are accepted.
	if got, err := DecodeCorpusFile([]byte("go test fuzz v1\r\nstring(\"hi\")\r\n")); err != nil || string(got) != "hi" {
		t.Errorf("go test file: %q, %v", got, err)
	}
	for _, bad := range []string{"", "go test fuzz v2\n[]byte(\"\")", "go test fuzz v1\nint(1)", "go test fuzz v1\n[]byte(\"a\")\n[]byte(\"b\")"} {
		if _, err := DecodeCorpusFile([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseEvents(t *testing.T) {
	t.Parallel()
	if k, err := ParseEvents("push, life"); err != nil || len(k) != 2 {
		t.Errorf("push, life: %v %v", k, err)
	}
	if _, err := ParseEvents("pushes"); err == nil || !strings.Contains(err.Error(), "life, task, push") {
		t.Errorf("pushes: %v", err)
	}
}

// TestScenarioParses: the scenario a finding is saved as is a valid
// scenario file with the same events.
func TestScenarioParses(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2, 2))
	dir := t.TempDir()
	for i := 0; i < 200; i++ {
		r := &bytesIn{b: random(rng)}
		var actions []drive.Action
		at := start
		for {
			a, ok := next(r, EventKinds(), view{state: abi.StateBackground, hasNote: true, workout: true, extended: true, audio: true})
			if !ok {
				break
			}
			at = at.Add(a.Duration)
			a.Duration, a.At, a.App = 0, at, alias
			actions = append(actions, a)
		}
		text, files := Scenario("/nowhere/app", ProfileSource{}, &Finding{Kind: KindTrap, Message: "x\ny"}, actions, at.Add(settle))
		for name, data := range files {
			os.WriteFile(filepath.Join(dir, name), data, 0o644)
		}
		sc, err := scenario.Parse(filepath.Join(dir, "f.scenario"), text, scenario.Options{})
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		if len(sc.Events) != len(actions) {
			t.Fatalf("%d events, want %d\n%s", len(sc.Events), len(actions), text)
		}
		for j, ev := range sc.Events {
			a := actions[j]
			if !ev.At.Equal(a.At) || string(ev.Verb) != string(a.Kind) {
				t.Fatalf("event %d: %v at %v, want %v at %v\n%s", j, ev.Verb, ev.At, a.Kind, a.At, text)
			}
			// The feeds' files and the peripherals' values read back
			// as decoded.
			switch {
			case a.Kind == drive.HeartRate && fmt.Sprint(readSeries(t, ev.File).Samples) != fmt.Sprint(a.Series.Samples):
				t.Fatalf("event %d: heart rate %v, decoded %v", j, readSeries(t, ev.File).Samples, a.Series.Samples)
			case a.Kind == drive.Route && !sameRoute(readTrack(t, ev.File), a.Track):
				t.Fatalf("event %d: route %s differs from the decoded one", j, ev.File)
			case a.Kind == drive.Peripheral && (ev.On != a.On || string(ev.Value) != string(a.Value) || ev.Characteristic != a.Characteristic):
				t.Fatalf("event %d: peripheral %v %q %s, decoded %v %q %s", j, ev.On, ev.Value, ev.Characteristic, a.On, a.Value, a.Characteristic)
			case (a.Kind == drive.Motion || a.Kind == drive.AudioInterruption || a.Kind == drive.Headphones || a.Kind == drive.BAR) && ev.On != a.On:
				t.Fatalf("event %d: %s on=%v, decoded %v\n%s", j, a.Kind, ev.On, a.On, text)
			}
		}
		if sc.End().Sub(at) != settle.Round(time.Second) {
			t.Fatalf("ends at %v, want %v", sc.End(), at.Add(settle))
		}
	}
}
