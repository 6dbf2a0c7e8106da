package fuzz

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/scenario"
)

// TestDecodedActionsAreValid: whatever the bytes, a decoded action is one
// the app's state allows.
func TestDecodedActionsAreValid(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	states := []abi.State{abi.StateNotRunning, abi.StateInactive, abi.StateActive, abi.StateBackground, abi.StateSuspended}
	for i := 0; i < 20000; i++ {
		st := states[rng.IntN(len(states))]
		r := &bytesIn{b: random(rng)}
		a, ok := next(r, EventKinds(), st, true)
		if !ok {
			continue
		}
		valid := true
		switch a.Kind {
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
			t.Fatalf("%v decoded in state %v", a, st)
		}
	}
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
			a, ok := next(r, EventKinds(), abi.StateBackground, true)
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
			if !ev.At.Equal(actions[j].At) || string(ev.Verb) != string(actions[j].Kind) {
				t.Fatalf("event %d: %v at %v, want %v at %v\n%s", j, ev.Verb, ev.At, actions[j].Kind, actions[j].At, text)
			}
		}
		if sc.End().Sub(at) != settle.Round(time.Second) {
			t.Fatalf("ends at %v, want %v", sc.End(), at.Add(settle))
		}
	}
}
