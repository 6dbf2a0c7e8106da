package drive

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/profile"
	"github.com/watchbox/watchbox/host/scenario"
)

// TestRunActions runs generated actions, not a scenario file's events, on
// the virtual clock, as a fuzzer would: the trace is the same bytes every
// run, and refusals a scenario tolerates are notes in it.
func TestRunActions(t *testing.T) {
	start := time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)
	sc := &scenario.Scenario{File: "generated", Start: start, Duration: time.Hour, Seed: 1,
		Apps: []scenario.App{{Alias: "hello", Dir: "../../apps/hello"}}, Complications: map[string]bool{}}
	actions := []Action{
		{Kind: Launch, App: "hello"},
		{Kind: WristDown},
		{Kind: Sleep, Duration: 3 * time.Minute},
		{Kind: Trigger, App: "hello", Task: abi.TaskSnapshot, Reason: abi.SnapshotPrelaunch, At: start.Add(10 * time.Minute)},
		{Kind: Expire, App: "hello"},
		{Kind: TapNotification, App: "hello"},
		{Kind: Note, Text: "the end"},
	}
	trace := func() string {
		var out bytes.Buffer
		sim, err := Simulate(context.Background(), sc, profile.Default(), SimOptions{
			CacheDir: filepath.Join(os.TempDir(), "watchbox-test-cache"), DataDir: t.TempDir(), Out: &out})
		if err != nil {
			t.Fatal(err)
		}
		defer sim.Close()
		if err := sim.Run(context.Background(), actions); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	got := trace()
	for _, want := range []string{
		"07:00:00.000  dev.watchbox.hello       > launch\n",
		"  dev.watchbox.hello       > wrist-down\n", // after the CPU time of the launch
		"                           > sleep 3m0s\n",
		"07:10:00.000  dev.watchbox.hello       > trigger snapshot prelaunch\n",
		"07:10:00.000  dev.watchbox.hello       note: nothing to expire: no open background task\n",
		"07:10:00.000  dev.watchbox.hello       note: dev.watchbox.hello has no delivered notification to tap\n",
		"07:10:00.000                           > # the end\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the trace lacks %q:\n%s", want, got)
		}
	}
	if again := trace(); again != got {
		t.Errorf("two runs of the same actions differ:\n%s\n---\n%s", got, again)
	}
}

// TestScenarioPayloadLimitIsTheRuntimes: a scenario refuses exactly the
// payloads the runtime would refuse in the middle of the run.
func TestScenarioPayloadLimitIsTheRuntimes(t *testing.T) {
	t.Parallel()
	if scenario.MaxPayload != host.MaxPayload {
		t.Errorf("scenario.MaxPayload = %d, host.MaxPayload = %d", scenario.MaxPayload, host.MaxPayload)
	}
}
