//go:build !wasm

package abi

import (
	"errors"
	"testing"
)

// TestParseNames checks that every name users type parses back to its value
// and that an unknown name lists the valid ones.
func TestParseNames(t *testing.T) {
	for _, k := range definedKeys[TaskKind](taskNames[:]) {
		if got, err := ParseTaskKind(TaskKindName(k)); err != nil || got != k {
			t.Errorf("ParseTaskKind(%q) = %v, %v", TaskKindName(k), got, err)
		}
	}
	for _, r := range SnapshotReasons() {
		if got, err := ParseSnapshotReason(SnapshotReasonName(r)); err != nil || got != r {
			t.Errorf("ParseSnapshotReason(%q) = %v, %v", SnapshotReasonName(r), got, err)
		}
	}
	for _, k := range phoneKinds() {
		if got, err := ParsePhoneKind(k.String()); err != nil || got != k {
			t.Errorf("ParsePhoneKind(%q) = %v, %v", k, got, err)
		}
	}
	if TaskKindName(TaskApplicationRefresh) != "application-refresh" || SnapshotReasonName(SnapshotReturnToDefaultState) != "return-to-default-state" {
		t.Errorf("names are not kebab case: %s, %s", TaskKindName(TaskApplicationRefresh), SnapshotReasonName(SnapshotReturnToDefaultState))
	}
	_, err := ParseTaskKind("application_refresh")
	var ne *NameError
	if !errors.As(err, &ne) || len(ne.Names) != 7 {
		t.Fatalf("ParseTaskKind(application_refresh) = %v, want a NameError listing 7 kinds", err)
	}
	const want = `unknown task kind "application_refresh"; task kinds are: application-refresh, snapshot, url-session, watch-connectivity, bluetooth-alert, intent-did-run, relevant-shortcut`
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if _, err := ParsePhoneKind("user_info"); err == nil {
		t.Error("ParsePhoneKind(user_info) succeeded")
	}
	if _, err := ParseSnapshotReason(""); err == nil {
		t.Error("ParseSnapshotReason(\"\") succeeded")
	}
}
