package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestCLICommandNames: a mistyped command or flag is answered with the
// one meant; "watchbox help COMMAND" prints that command's flags on
// stdout, as "watchbox COMMAND -h" does on stderr; --version is version.
func TestCLICommandNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args       []string
		code       int
		out, errb  string // substrings; "" for an empty stream
		notErrText string
	}{
		{[]string{"rnu", "apps/hello"}, exitUsage, "", `watchbox: unknown command "rnu" (did you mean "run"?)`, ""},
		{[]string{"simulat"}, exitUsage, "", `unknown command "simulat" (did you mean "simulate"?)`, ""},
		{[]string{"frobnicate"}, exitUsage, "", "usage: watchbox COMMAND", "did you mean"},
		{[]string{"help", "run"}, exitOK, "usage: watchbox run [flags] BUNDLE", "", ""},
		{[]string{"help", "exec"}, exitOK, "usage: watchbox exec [flags] MODULE.wasm", "", ""},
		{[]string{"help", "sttus"}, exitUsage, "", `unknown command "sttus" (did you mean "status"?)`, ""},
		{[]string{"help"}, exitOK, "usage: watchbox COMMAND", "", ""},
		{[]string{"--version"}, exitOK, "watchbox " + version + " (ABI v", "", ""},
		{[]string{"run", "--jsn", "apps/hello"}, exitUsage, "", "watchbox run: unknown flag -jsn; did you mean --json?", ""},
		{[]string{"simulate", "x.scenario", "--trcae", "t.json"}, exitUsage, "", "unknown flag -trcae; did you mean --trace?", ""},
		{[]string{"exec", "--fule", "10", "m.wasm"}, exitUsage, "", "watchbox exec: unknown flag -fule; did you mean --fuel?", ""},
		{[]string{"run", "--zzzzzz", "apps/hello"}, exitUsage, "", "flag provided but not defined: -zzzzzz", "did you mean"},
	} {
		var out, errb bytes.Buffer
		code := cli(context.Background(), tc.args, &out, &errb)
		name := strings.Join(tc.args, " ")
		if code != tc.code {
			t.Errorf("watchbox %s: exit %d, want %d\nstderr: %s", name, code, tc.code, errb.String())
		}
		for _, s := range []struct {
			stream, got, want string
		}{{"stdout", out.String(), tc.out}, {"stderr", errb.String(), tc.errb}} {
			if s.want == "" && s.got != "" {
				t.Errorf("watchbox %s: %s %q, want none", name, s.stream, s.got)
			}
			if !strings.Contains(s.got, s.want) {
				t.Errorf("watchbox %s: %s %q lacks %q", name, s.stream, s.got, s.want)
			}
		}
		if tc.notErrText != "" && strings.Contains(errb.String(), tc.notErrText) {
			t.Errorf("watchbox %s: stderr %q has %q", name, errb.String(), tc.notErrText)
		}
	}
}
