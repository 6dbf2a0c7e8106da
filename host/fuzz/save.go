package fuzz

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/drive"
)

// FuzzTestName is the fuzz test directory findings' corpus files are
// saved under (testdata/fuzz/FuzzTestName), as `go test` keeps a fuzz
// test's failing inputs.
const FuzzTestName = "FuzzWatchbox"

// Scenario writes the actions of a run as a scenario file that `watchbox
// simulate` replays, with the push files it names in files (by name,
// relative to the scenario). bundle is the app's directory.
func Scenario(bundle string, prof ProfileSource, f *Finding, actions []drive.Action, end time.Time) (text []byte, files map[string][]byte) {
	files = map[string][]byte{}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# A watchbox fuzz finding: %s", f.Kind)
	if f.Event != "" {
		fmt.Fprintf(&b, " in %s", f.Event)
	}
	fmt.Fprintf(&b, "\n# %s\n", oneLine(f.Message))
	if f.Where != "" {
		fmt.Fprintf(&b, "# at %s\n", f.Where)
	}
	b.WriteString("# Replay: watchbox simulate THIS_FILE, or watchbox fuzz BUNDLE --replay THIS_FILE\n")
	fmt.Fprintf(&b, "start %s\nduration %s\nseed 1\n", start.Format(time.RFC3339), fmtDuration(end.Sub(start).Round(time.Second)))
	if prof.File != "" {
		fmt.Fprintf(&b, "profile %s\n", prof.File)
	}
	for _, kv := range prof.Sets {
		fmt.Fprintf(&b, "set %s\n", kv)
	}
	fmt.Fprintf(&b, "app %s %s\n", alias, bundle)
	prev := start
	for _, a := range actions {
		fmt.Fprintf(&b, "at +%-5s ", fmtDuration(a.At.Sub(prev)))
		prev = a.At
		switch a.Kind {
		case drive.Trigger:
			fmt.Fprintf(&b, "trigger %s %s", alias, abi.TaskKindName(a.Task))
			switch {
			case a.Reason != 0:
				fmt.Fprintf(&b, " %s", abi.SnapshotReasonName(a.Reason))
			case a.Peripheral != "":
				fmt.Fprintf(&b, " %s", a.Peripheral)
			case a.Intent != "":
				fmt.Fprintf(&b, " %s", a.Intent)
			case a.Session != "":
				fmt.Fprintf(&b, " %s", a.Session)
			}
		case drive.Push:
			name := fmt.Sprintf("push-%d.apns", len(files)+1)
			files[name] = append(append([]byte(nil), a.Payload...), '\n')
			fmt.Fprintf(&b, "push %s %s", alias, name)
		case drive.Phone:
			fmt.Fprintf(&b, "phone %s %s %s", a.Phone, alias, a.Payload)
		case drive.TapNotification:
			fmt.Fprintf(&b, "tap-notification %s", alias)
			if a.Choice != "" {
				fmt.Fprintf(&b, " action=%s", a.Choice)
			}
		case drive.Complication:
			fmt.Fprintf(&b, "complication %s %s", alias, onOff(a.On))
		case drive.Motion:
			fmt.Fprintf(&b, "motion %s %s", alias, map[bool]string{true: "paused", false: "resumed"}[a.On])
		case drive.AudioInterruption:
			fmt.Fprintf(&b, "audio-interruption %s %s", alias, map[bool]string{true: "began", false: "ended"}[a.On])
		case drive.Headphones:
			fmt.Fprintf(&b, "headphones %s", onOff(a.On))
		case drive.BAR:
			fmt.Fprintf(&b, "bar %s %s", alias, onOff(a.On))
		case drive.HeartRate:
			name := fmt.Sprintf("heart-rate-%d.csv", len(files)+1)
			files[name] = seriesCSV(a.Series)
			fmt.Fprintf(&b, "heart-rate %s %s", alias, name)
		case drive.Route:
			name := fmt.Sprintf("route-%d.gpx", len(files)+1)
			files[name] = trackGPX(a.Track)
			fmt.Fprintf(&b, "route %s %s", alias, name)
		case drive.BluetoothAlert:
			fmt.Fprintf(&b, "bluetooth-alert %s %s", alias, a.Peripheral)
		case drive.Peripheral:
			if !a.On {
				fmt.Fprintf(&b, "peripheral %s off", a.Peripheral)
				break
			}
			fmt.Fprintf(&b, "peripheral %s %s %s", a.Peripheral, a.Characteristic, a.Value)
		case drive.Note:
			fmt.Fprintf(&b, "note %s", a.Text)
		default:
			fmt.Fprintf(&b, "%s %s", a.Kind, alias)
		}
		b.WriteByte('\n')
	}
	return b.Bytes(), files
}

func onOff(on bool) string { return map[bool]string{true: "on", false: "off"}[on] }

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// save writes a finding to dir/KIND-HASH/: finding.scenario with its push
// files, and testdata/fuzz/FuzzTestName/HASH in Go's corpus format.
func save(dir, bundle string, prof ProfileSource, f *Finding, actions []drive.Action, end time.Time) error {
	name := f.Kind + "-" + inputName(f.Input)
	d := filepath.Join(dir, name)
	text, files := Scenario(bundle, prof, f, actions, end)
	for n, data := range files {
		if err := writeFileAtomic(filepath.Join(d, n), data); err != nil {
			return fmt.Errorf("fuzz: saving finding: %w", err)
		}
	}
	f.Dir = d
	f.Scenario = filepath.Join(d, "finding.scenario")
	if err := writeFileAtomic(f.Scenario, text); err != nil {
		return fmt.Errorf("fuzz: saving finding: %w", err)
	}
	f.Corpus = filepath.Join(d, "testdata", "fuzz", FuzzTestName, inputName(f.Input))
	if err := writeFileAtomic(f.Corpus, EncodeCorpusFile(f.Input)); err != nil {
		return fmt.Errorf("fuzz: saving finding: %w", err)
	}
	return nil
}
