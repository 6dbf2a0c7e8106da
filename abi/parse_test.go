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

// TestNameTables: the name tables, arrays indexed by value, name every
// value they list, in order, and fall back to a number outside them.
func TestNameTables(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Status(-1).String(), "status(-1)"},
		{Status(1 << 20).String(), "status(1048576)"},
		{Field(60000).String(), "field(60000)"},
		{Op(1 << 31).String(), "op(2147483648)"},
		{EventKind(0).String(), "event(0)"},
		{EventHandleExtendedSession.String(), "handle_extended_session"},
		{OpRegisterEventBuffer.String(), "register_event_buffer"},
		{FieldSessionError.String(), "session_error"},
		{StatusBadEvent.String(), "bad_event"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
	kinds := EventKinds()
	for i, k := range kinds {
		if i > 0 && kinds[i-1] >= k {
			t.Errorf("EventKinds out of order at %d: %v", i, kinds)
		}
		if k.String() == "event("+itoa(int64(k))+")" {
			t.Errorf("EventKinds lists %d, which has no name", k)
		}
	}
	if len(Ops()) == 0 || len(Fields()) == 0 || len(kinds) == 0 {
		t.Errorf("%d ops, %d fields, %d event kinds", len(Ops()), len(Fields()), len(kinds))
	}
}
