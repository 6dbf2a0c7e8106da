package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/inspect"
)

// chelloDir is a guest written in C from docs/abi.md alone; hello.wasm is
// prebuilt by its build.sh so that this test needs no C toolchain.
const chelloDir = "apps/c-hello"

// chelloHarness is a Runtime whose call records and JSON logs are captured.
type chelloHarness struct {
	rt    *host.Runtime
	mu    sync.Mutex
	logs  bytes.Buffer
	calls []host.Call
}

func (h *chelloHarness) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.logs.Write(p)
}

func newChelloHarness(t *testing.T) *chelloHarness {
	t.Helper()
	h := &chelloHarness{}
	log := zerolog.New(h).Level(zerolog.DebugLevel)
	rt, err := host.New(context.Background(), host.Config{
		CacheDir:         testCache,
		DataDir:          t.TempDir(),
		Logger:           &log,
		FrontmostTimeout: -1,
		SuspendDelay:     -1,
		OnCall: func(c host.Call) {
			h.mu.Lock()
			h.calls = append(h.calls, c)
			h.mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.rt = rt
	t.Cleanup(func() { rt.Close(context.Background()) })
	return h
}

// takeCalls returns "event:status:state" for every call so far and forgets
// them.
func (h *chelloHarness) takeCalls() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, c := range h.calls {
		s := c.Event.String() + ":" + c.Status.String() + ":" + c.State.String()
		if c.Message != "" {
			s += ":" + c.Message
		}
		if c.Crash != "" {
			s += ":crash " + c.Crash
		}
		out = append(out, s)
	}
	h.calls = nil
	return out
}

// takeLogs returns "source level message" for every guest, stdout and
// stderr log record so far and forgets every record. Guest log records
// (the log host function) have source "guest".
func (h *chelloHarness) takeLogs(t *testing.T) []string {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, line := range strings.Split(h.logs.String(), "\n") {
		if line == "" {
			continue
		}
		var rec struct {
			Level   string `json:"level"`
			Source  string `json:"source"`
			App     string `json:"app"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log record is not JSON: %q: %v", line, err)
		}
		if rec.Source == "" {
			continue
		}
		if rec.App != chelloID {
			t.Errorf("log record %s: app = %q, want %q", line, rec.App, chelloID)
		}
		out = append(out, rec.Source+" "+rec.Level+" "+rec.Message)
	}
	h.logs.Reset()
	return out
}

func chelloSame(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

const chelloID = "dev.watchbox.test.chello"

func TestCGuestLifeCycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newChelloHarness(t)

	a, err := h.rt.Load(ctx, chelloDir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if a.ID() != chelloID {
		t.Fatalf("bundle id = %q", a.ID())
	}
	chelloSame(t, "load runs no guest code", h.takeLogs(t), nil)

	// Cold launch: _initialize runs the C constructor (no current event
	// there: event_read answers no_event), then the three launch events.
	chelloMust(t, "Launch", a.Launch(ctx))
	chelloSame(t, "launch calls", h.takeCalls(), []string{
		"did_finish_launching:ok:inactive",
		"will_enter_foreground:ok:inactive",
		"did_become_active:ok:active",
	})
	chelloSame(t, "launch logs", h.takeLogs(t), []string{
		"guest debug c-hello: initialized (event_read outside a handler = -7)",
		"guest info c-hello: did_finish_launching (event 1)",
		"guest info c-hello: app_info bundle=dev.watchbox.test.chello state=inactive launch_count=1 cold=1",
		"guest info c-hello: wasi argc=1 argv0=dev.watchbox.test.chello environ=0",
		"guest info c-hello: clock ok",
		"guest info c-hello: wrote /c-hello.txt: ok",
		// sandboxfs reports a quota refusal as EIO: wazero has no ENOSPC.
		"guest info c-hello: over-quota write refused: errno EIO",
		"stdout info c-hello: hello on stdout",
		"guest info c-hello: will_enter_foreground (event 2)",
		"guest info c-hello: did_become_active (event 3)",
		"guest info c-hello: app_info bundle=dev.watchbox.test.chello state=active launch_count=1 cold=1",
	})
	if b, err := os.ReadFile(filepath.Join(a.Container(), "c-hello.txt")); err != nil || string(b) != "hello from C\n" {
		t.Errorf("container file: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(a.Container(), "big")); !os.IsNotExist(err) {
		t.Errorf("over-quota file left behind: %v", err)
	}

	// Wrist down, then the frontmost timeout (here: EnterBackground).
	chelloMust(t, "WristDown", a.WristDown(ctx))
	chelloMust(t, "EnterBackground", a.EnterBackground(ctx))
	// ...then the system's app_backgrounded snapshot task, which the C
	// guest completes.
	chelloSame(t, "leaving calls", h.takeCalls(), []string{
		"will_resign_active:ok:inactive",
		"did_enter_background:ok:background",
		"background_tasks:ok:background",
	})
	chelloSame(t, "leaving logs", h.takeLogs(t), []string{
		"guest info c-hello: will_resign_active (event 4)",
		"guest info c-hello: did_enter_background (event 5)",
		"guest info c-hello: background_tasks (event 6, 56 field bytes)",
		fmt.Sprintf("guest info c-hello: task id=1 kind=%d", abi.TaskSnapshot),
		"guest info c-hello: 1 tasks",
	})

	// A kind the guest does not handle: unhandled, not an error.
	c, err := a.Deliver(ctx, abi.EventNotificationWillPresent, nil)
	if err != nil || c.Status != abi.StatusUnhandled {
		t.Errorf("Deliver(notification_will_present) = %v, %v; want unhandled, no error", c.Status, err)
	}

	// Nested records, an unknown key at both levels, and an op this host
	// does not implement yet: the guest replies error with a message field.
	var w abi.Writer
	for i, kind := range []abi.TaskKind{abi.TaskApplicationRefresh, abi.TaskSnapshot} {
		m := w.Begin(abi.FieldTask)
		w.Int(abi.FieldTaskID, int64(7+i))
		w.String(999, "unknown keys are skipped")
		w.Int(abi.FieldTaskKind, int64(kind))
		w.End(m)
	}
	w.Bool(1000, true)
	c, err = a.Deliver(ctx, abi.EventBackgroundTasks, w.Bytes())
	var he *host.HandlerError
	if !errors.As(err, &he) || he.Status != abi.StatusError || c.Status != abi.StatusError {
		t.Errorf("Deliver(background_tasks) = %+v, %v; want a HandlerError with status error", c, err)
	}
	// not_found, with the host's reason: the host never delivered task 7
	const wantMsg = "c-hello: complete_task(7) failed with status 1: complete_task: task 7 is not open"
	if c.Message != wantMsg {
		t.Errorf("handler message = %q, want %q", c.Message, wantMsg)
	}

	// Malformed fields: the guest answers bad_event without a message.
	c, err = a.Deliver(ctx, abi.EventBackgroundTasks, []byte{2, 0, 5, 0, 200, 0, 0, 0})
	if !errors.As(err, &he) || c.Status != abi.StatusBadEvent || c.Message != "" {
		t.Errorf("Deliver(malformed) = %+v, %v; want bad_event", c, err)
	}
	chelloSame(t, "delivered calls", h.takeCalls(), []string{
		"notification_will_present:unhandled:background",
		"background_tasks:error:background:" + wantMsg,
		"background_tasks:bad_event:background",
	})
	chelloSame(t, "delivered logs", h.takeLogs(t), []string{
		fmt.Sprintf("guest info c-hello: background_tasks (event 8, %d field bytes)", w.Len()),
		"guest info c-hello: task id=7 kind=1",
		"guest info c-hello: background_tasks (event 9, 8 field bytes)",
	})

	// Back to the foreground from the background: warm, not a launch.
	chelloMust(t, "Launch from background", a.Launch(ctx))
	chelloSame(t, "resume calls", h.takeCalls(), []string{
		"will_enter_foreground:ok:inactive",
		"did_become_active:ok:active",
	})
	chelloSame(t, "resume logs", h.takeLogs(t), []string{
		"guest info c-hello: will_enter_foreground (event 10)",
		"guest info c-hello: did_become_active (event 11)",
		"guest info c-hello: app_info bundle=dev.watchbox.test.chello state=active launch_count=1 cold=0",
	})

	// Suspend, purge, relaunch: a new instance, launch 2, event ids restart.
	chelloMust(t, "Suspend", a.Suspend(ctx))
	chelloMust(t, "Purge", a.Purge(ctx))
	h.takeCalls()
	h.takeLogs(t)
	chelloMust(t, "relaunch", a.Launch(ctx))
	chelloSame(t, "relaunch calls", h.takeCalls(), []string{
		"did_finish_launching:ok:inactive",
		"will_enter_foreground:ok:inactive",
		"did_become_active:ok:active",
	})
	logs := h.takeLogs(t)
	for _, want := range []string{
		"guest info c-hello: did_finish_launching (event 1)",
		"guest info c-hello: app_info bundle=dev.watchbox.test.chello state=inactive launch_count=2 cold=1",
		"guest info c-hello: app_info bundle=dev.watchbox.test.chello state=active launch_count=2 cold=1",
	} {
		if !chelloContains(logs, want) {
			t.Errorf("relaunch logs: missing %q in %q", want, logs)
		}
	}

	// Shutdown gives the active app its leaving calls.
	chelloMust(t, "Close", h.rt.Close(ctx))
	chelloSame(t, "shutdown calls", h.takeCalls(), []string{
		"will_resign_active:ok:inactive",
		"did_enter_background:ok:background",
	})
	chelloSame(t, "shutdown logs", h.takeLogs(t), []string{
		"guest info c-hello: will_resign_active (event 4)",
		"guest info c-hello: did_enter_background (event 5)",
	})
}

// TestCGuestInspect checks that the prebuilt C module passes the host's
// module checks and declares ABI v1.
func TestCGuestInspect(t *testing.T) {
	t.Parallel()
	report, err := inspect.Path(context.Background(), chelloDir, inspect.Options{CacheDir: testCache})
	if err != nil {
		t.Fatal(err)
	}
	if !report.OK() || report.ABIVersion != abi.Version {
		t.Fatalf("inspect: abi v%d, problems %v", report.ABIVersion, report.Problems)
	}
	exports := map[string]string{}
	for _, e := range report.Exports {
		exports[e.Name] = e.Signature
	}
	for name, sig := range map[string]string{
		"watchbox_event": "(i32, i32) -> i32", "watchbox_abi_v1": "() -> ()", "_initialize": "() -> ()",
	} {
		if exports[name] != sig {
			t.Errorf("export %s: %q, want %q", name, exports[name], sig)
		}
	}
	if _, ok := exports["_start"]; ok {
		t.Errorf("the C guest exports _start; it must be a reactor")
	}
}

func chelloMust(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func chelloContains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}
