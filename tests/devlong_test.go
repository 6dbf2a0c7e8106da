package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/internal/wattest"
)

// longManifest is the manifest of the bundle of tests/testdata/long-v*.wasm.
const longManifest = `{
  "CFBundleIdentifier": "dev.watchbox.test.long",
  "CFBundleDisplayName": "Long",
  "abiVersion": 1,
  "memoryLimit": "2MiB",
  "module": "app.wasm"
}
`

// devRecord is one JSON line of `watchbox dev --json`: a call record or
// a reload on stdout, a log line on stderr (the guest's output among
// them, with source "stdout").
type devRecord struct {
	Type    string    `json:"type"`
	Event   string    `json:"event"`
	Status  string    `json:"status"`
	Fuel    int64     `json:"fuel"`
	Version int       `json:"version"`
	Swapped bool      `json:"swapped"`
	WaitNS  int64     `json:"wait_ns"`
	Error   string    `json:"error"`
	Source  string    `json:"source"`
	Message string    `json:"message"`
	Time    time.Time `json:"time"`
}

// devRecords parses the JSON lines of out, in order; lines that are not
// JSON are left out.
func devRecords(out string) []devRecord {
	var recs []devRecord
	for l := range strings.Lines(out) {
		var r devRecord
		if json.Unmarshal([]byte(l), &r) == nil {
			recs = append(recs, r)
		}
	}
	return recs
}

// TestDevReloadWaitsForLongEvent: a .wasm saved while the app is in a long
// event is swapped in only once that event has ended, and the next event
// runs the new module. The guest (tests/testdata/long-v1.wat and its v2)
// burns a second or so in will_resign_active between a "long start" and
// a "long end" line, and names its version in every line it prints. The
// test sends wrist-down, replaces app.wasm with the other version when
// the event's "long start" is out, then sends wrist-up, and reads in the
// binary's output: the guest's "long end" came after the save (the save
// did arrive during the event); the swap's first call, save_state to the
// old instance, started after "long end" (its line is later) and after
// the long call's record; the reload line came after both, waited for
// the call path, and swapped; and every guest line after it is the new
// version's, wrist-up's did_become_active among them. Only ordering and
// the binary's timestamps are asserted, never a duration. When the
// machine is so loaded that the save only came after the event had
// ended, the round proves nothing and is run again with the versions
// swapped, up to four rounds.
func TestDevReloadWaitsForLongEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a second or more of CPU per round")
	}
	t.Parallel()
	var mods [2][]byte
	for i := range mods {
		b, err := os.ReadFile(filepath.Join(repoRoot, "tests", "testdata", fmt.Sprintf("long-v%d.wasm", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		mods[i] = b
	}
	dir := filepath.Join(t.TempDir(), "long")
	writeFile(t, dir, "watchapp.json", []byte(longManifest))
	writeFile(t, dir, "app.wasm", mods[0])
	p := start(t, "dev", "--json", "--control", "off", "--data", t.TempDir(), "--set", "lifecycle_time=300s", dir)
	defer p.signalAndWait(os.Interrupt, time.Minute, "Ctrl-C must end watchbox dev")
	p.waitFor("watchbox dev: watching dev.watchbox.test.long", devWait)
	p.waitForCount(`"event":"did_become_active"`, 1, devWait)

	for round := 1; round <= 4; round++ {
		cur, next := fmt.Sprintf("v%d", 2-round%2), fmt.Sprintf("v%d", 1+round%2)
		fmt.Fprintln(p.stdin, "wrist-down")
		p.waitForCount(`"message":"`+cur+` long start"`, (round+1)/2, devWait)
		tmp := filepath.Join(dir, ".app.wasm.tmp")
		if err := os.WriteFile(tmp, mods[round%2], 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "app.wasm")); err != nil {
			t.Fatal(err)
		}
		saved := time.Now()
		p.waitForCount(`"type":"reload"`, round, devWait)
		fmt.Fprintln(p.stdin, "wrist-up")
		p.waitForCount(`"event":"did_become_active"`, round+1, devWait)

		res := p.result()
		out := devRecords(res.stdout)
		logs := devRecords(res.stderr)
		// The guest's lines since this round's wrist-down.
		var lines []devRecord
		for i := len(logs) - 1; i >= 0; i-- {
			if logs[i].Source == "stdout" {
				lines = append([]devRecord{logs[i]}, lines...)
				if logs[i].Message == cur+" long start" {
					break
				}
			}
		}
		end := -1
		for i, l := range lines {
			if l.Message == cur+" long end" {
				end = i
				break
			}
		}
		if end < 0 {
			t.Fatalf("round %d: no %q line after %q\n%s", round, cur+" long end", cur+" long start", res)
		}
		if !saved.Before(lines[end].Time) {
			t.Logf("round %d: the save (%s) came only after the long event ended (%s): the machine is slow; again",
				round, saved.Format(time.StampMicro), lines[end].Time.Format(time.StampMicro))
			continue
		}
		// The swap began after the event: its save_state to the old
		// instance is the next thing the guest printed, and it is later.
		if end+1 >= len(lines) || lines[end+1].Message != cur+" save_state" || lines[end+1].Time.Before(lines[end].Time) {
			t.Fatalf("round %d: after %q, want the swap's %q, later; got the guest lines %+v\n%s", round, cur+" long end", cur+" save_state", lines, res)
		}
		// Then only the new version: the cold start's life-cycle calls
		// and wrist-up's did_become_active.
		if len(lines) < end+3 {
			t.Fatalf("round %d: no line of the new version after the swap: %+v\n%s", round, lines, res)
		}
		for _, l := range lines[end+2:] {
			if l.Message != next+" event" {
				t.Fatalf("round %d: after the swap the guest printed %q, want only %q\n%s", round, l.Message, next+" event", res)
			}
		}
		// The records on stdout, in order: the long call, the swap's
		// save_state, the reload (version round+1, swapped, having
		// waited for the call path), then wrist-up's did_become_active.
		var order []string
		var reload devRecord
		long := -1
		for i := len(out) - 1; i >= 0; i-- {
			if out[i].Type == "call" && out[i].Event == "will_resign_active" && out[i].Fuel > 1_000_000_000 {
				long = i
				break
			}
		}
		if long < 0 {
			t.Fatalf("round %d: no call record of the long will_resign_active\n%s", round, res)
		}
		for _, r := range out[long:] {
			switch {
			case r.Type == "call" && (r.Event == "will_resign_active" || r.Event == "save_state" || r.Event == "did_become_active"):
				order = append(order, r.Event)
			case r.Type == "reload":
				order = append(order, "reload")
				reload = r
			}
		}
		if len(order) < 4 || order[0] != "will_resign_active" || order[1] != "save_state" || order[2] != "reload" || order[len(order)-1] != "did_become_active" {
			t.Fatalf("round %d: the records after the long call are %v; want will_resign_active, save_state, reload, ..., did_become_active\n%s", round, order, res)
		}
		if out[long].Status != "ok" || reload.Version != round+1 || !reload.Swapped || reload.Error != "" || reload.WaitNS <= 0 {
			t.Fatalf("round %d: long call %+v, reload %+v; want the call ok and a reload to version %d, swapped, that waited for the call path\n%s",
				round, out[long], reload, round+1, res)
		}
		t.Logf("round %d: saved at %s, %q at %s, %q at %s; records %v; the reload waited %v",
			round, saved.Format(time.StampMicro), lines[end].Message, lines[end].Time.Format(time.StampMicro),
			lines[end+1].Message, lines[end+1].Time.Format(time.StampMicro), order, time.Duration(reload.WaitNS))
		return
	}
	t.Fatal("in four rounds the save never arrived while the long event ran: the machine is too slow for this test")
}

// TestTestdataWasmMatchesWat: the test guests committed in testdata are
// what their .wat sources build to. Skipped without wabt's wat2wasm,
// except under CI, where .ci/run installs it.
func TestTestdataWasmMatchesWat(t *testing.T) {
	t.Parallel()
	wattest.CheckCommitted(t, filepath.Join(repoRoot, "tests", "testdata", "*.wat"))
}
