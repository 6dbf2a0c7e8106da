package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/reload"
)

// longApp loads the test guest tests/testdata/long-v1.wasm as a .wasm
// bundle on the virtual clock, for printReload to name.
func longApp(t *testing.T) *host.App {
	t.Helper()
	dir := longBundle(t)
	ctx := context.Background()
	rt, err := host.New(ctx, host.Config{CacheDir: t.TempDir(), DataDir: t.TempDir(), Virtual: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	a, err := rt.Load(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestPrintReloadWarnings: a reload's build warnings are printed once
// each, on stderr after the reload's line (or after its error and the
// version that keeps running), named by the app; with --json they are
// the record's "warnings", which a reload without any leaves out.
func TestPrintReloadWarnings(t *testing.T) {
	t.Parallel()
	a := longApp(t)
	w := "watch.Register: main.app has method WillResignActiv(), which is no delegate method, so it is never called; did you mean WillResignActive()?"
	swapped := reload.Event{App: a, Changed: []string{"main.go"}, Warnings: []string{w},
		Reload: host.Reload{Version: 2, Hash: "1b57084ff427", Running: true, Carried: true, StateBytes: 11}}
	failed := swapped
	failed.Reload, failed.Err = host.Reload{}, errors.New("invalid app: the module has no memory export")

	for _, tc := range []struct {
		name           string
		ev             reload.Event
		stdout, stderr string
	}{
		{"swapped", swapped,
			"dev.watchbox.test.long  reload v2 1b57084ff427: main.go changed; build 0.00ms, compile 0.00ms, swap 0.00ms; state carried (11 bytes)\n",
			"dev.watchbox.test.long  warning: " + w + "\n"},
		{"failed", failed, "",
			"dev.watchbox.test.long  reload failed (main.go changed): invalid app: the module has no memory export\n" +
				"dev.watchbox.test.long  v1 ",
		},
	} {
		var out, errb bytes.Buffer
		printReload(&out, &errb, tc.ev, false)
		if out.String() != tc.stdout || !strings.HasPrefix(errb.String(), tc.stderr) ||
			strings.Count(errb.String(), "warning: ") != 1 || !strings.HasSuffix(errb.String(), "dev.watchbox.test.long  warning: "+w+"\n") {
			t.Errorf("%s: stdout\n%s\nstderr\n%s\nwant stdout\n%s\nstderr beginning\n%s\nand ending with the warning, once", tc.name, &out, &errb, tc.stdout, tc.stderr)
		}
	}

	for _, ev := range []reload.Event{swapped, failed} {
		var out, errb bytes.Buffer
		printReload(&out, &errb, ev, true)
		var rec struct {
			Type     string
			Warnings []string
		}
		if err := json.Unmarshal(out.Bytes(), &rec); err != nil || rec.Type != "reload" || len(rec.Warnings) != 1 || rec.Warnings[0] != w || errb.Len() != 0 {
			t.Errorf("--json: stdout %s (%v), stderr %q; want one reload record with the warning, nothing on stderr", &out, err, &errb)
		}
	}
	var out bytes.Buffer
	swapped.Warnings = nil
	printReload(&out, &out, swapped, true)
	if strings.Contains(out.String(), "warning") {
		t.Errorf("--json of a reload without warnings: %s", &out)
	}
	out.Reset()
	printReload(&out, &out, swapped, false)
	if strings.Contains(out.String(), "warning") {
		t.Errorf("a reload without warnings: %s", &out)
	}
}

// TestPrintReloadGuestFailureInSwap: a handler of the new version that
// fails in the swap's calls (a did_finish_launching returning an error
// after a cold start) leaves the new version in place and running, so the
// reload is printed as one that went through, followed by the failure,
// never as a failed reload with the old version kept; --json says it
// swapped, with the error.
func TestPrintReloadGuestFailureInSwap(t *testing.T) {
	t.Parallel()
	a := longApp(t)
	herr := &host.HandlerError{App: a.ID(), Event: abi.EventDidFinishLaunching, Status: abi.StatusError, Message: "no delegate"}
	ev := reload.Event{App: a, Changed: []string{"main.go"}, Err: fmt.Errorf("host: reload: %w", herr),
		Reload: host.Reload{Version: 2, Hash: "023071de8869", Running: true, Note: "the old version does not handle save_state"}}
	var out, errb bytes.Buffer
	printReload(&out, &errb, ev, false)
	wantOut := "dev.watchbox.test.long  reload v2 023071de8869: main.go changed; build 0.00ms, compile 0.00ms, swap 0.00ms; state not carried, started cold: the old version does not handle save_state\n"
	wantErr := "dev.watchbox.test.long  the new version is in place, but a call of the swap failed: host: reload: app dev.watchbox.test.long: did_finish_launching handler failed (error): no delegate\n"
	if out.String() != wantOut || errb.String() != wantErr {
		t.Errorf("stdout\n%s\nstderr\n%s\nwant\n%s\nand\n%s", &out, &errb, wantOut, wantErr)
	}
	out.Reset()
	printReload(&out, &out, ev, true)
	var rec struct {
		Swapped bool
		Error   string
	}
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil || !rec.Swapped || !strings.Contains(rec.Error, "did_finish_launching handler failed") {
		t.Errorf("--json: %s (%v); want swapped, with the error", &out, err)
	}
}
