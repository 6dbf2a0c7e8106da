package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestControlEndpoint drives a live `watchbox run` from other commands:
// push (simctl's .apns format), trigger, step and status, then Ctrl-C.
func TestControlEndpoint(t *testing.T) {
	data := t.TempDir()
	writeFile(t, filepath.Join(data, "containers", "dev.watchbox.test.chaos"), "mode", []byte("Tasks complete\n"))
	p := start(t, "run", "--stay", "--data", data, "--steps", "status", "tests/apps/chaos")
	p.waitFor("did_become_active", time.Minute)

	pushFile := filepath.Join(t.TempDir(), "alert.apns")
	os.WriteFile(pushFile, []byte(`{"Simulator Target Bundle":"dev.watchbox.test.chaos","aps":{"alert":{"title":"Rain","body":"at 4pm"}},"city":"Oslo"}`), 0o644)
	expect(t, watchbox(t, nil, "push", pushFile), exitOK, `"ok":true`)
	p.waitFor(`chaos: present push-1 "Rain"`, 10*time.Second)

	expect(t, watchbox(t, nil, "step", "wrist-down"), exitOK, `"state":"inactive"`)
	expect(t, watchbox(t, nil, "trigger", "watch-connectivity"), exitOK, `"ok":true`)
	p.waitFor("chaos: complete 1 <nil>", 10*time.Second)

	st := watchbox(t, nil, "status", "--json")
	expect(t, st, exitOK)
	var status struct {
		App       string
		State     string
		Decisions []struct{ Rule string }
	}
	if err := json.Unmarshal([]byte(st.stdout), &status); err != nil {
		t.Fatalf("status --json: %v\n%s", err, st)
	}
	if status.App != "dev.watchbox.test.chaos" || status.State != "inactive" || len(status.Decisions) < 2 {
		t.Errorf("status = %+v", status)
	}
	expect(t, watchbox(t, nil, "status"), exitOK, "dev.watchbox.test.chaos: inactive, 1 launch(es)", "[trigger]")

	// Bad requests are refused with what was wrong, and the run goes on.
	expect(t, watchbox(t, nil, "push", "--bundle", "com.other", pushFile), exitUsage, `no app "com.other" in this run`)
	expect(t, watchbox(t, nil, "trigger", "nope"), exitUsage, `unknown task kind "nope"`)
	expect(t, watchbox(t, nil, "step", "jump"), exitUsage, `unknown step "jump"`)

	r := p.signalAndWait(os.Interrupt, 10*time.Second, "Ctrl-C must end a --stay run")
	if r.code != exitOK || !strings.Contains(r.stdout, `"interrupted":true`) && !strings.Contains(r.stdout, "launch(es)") {
		t.Errorf("run ended with %d\n%s", r.code, r)
	}
	// With no run listening, the commands say so.
	expect(t, watchbox(t, nil, "status"), exitError, "no live watchbox run")
}
