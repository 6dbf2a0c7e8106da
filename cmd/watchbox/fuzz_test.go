package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/host/fuzz"
)

// TestFuzzReplayCommandQuoted: the replay command a finding prints runs
// as printed when pasted, whatever the --findings directory is called;
// with a space in it, it was two arguments.
func TestFuzzReplayCommandQuoted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ path, want string }{
		{"fuzz-findings/panic-1/finding.scenario", "replay: watchbox simulate fuzz-findings/panic-1/finding.scenario\n"},
		{"my findings/panic-1/finding.scenario", "replay: watchbox simulate 'my findings/panic-1/finding.scenario'\n"},
		{"it's/f.scenario", `replay: watchbox simulate 'it'\''s/f.scenario'` + "\n"},
	} {
		var b bytes.Buffer
		res := &fuzz.Result{Findings: []*fuzz.Finding{{Kind: "panic", Message: "boom", Scenario: tc.path, Corpus: "c", Actions: 2}}}
		printFuzzResult(&b, res, false)
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("finding in %q printed\n%s\nwant %q", tc.path, b.String(), tc.want)
		}
	}
}
