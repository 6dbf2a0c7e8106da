// The names users type are parsed by the host's front ends only; guests
// never need them. Leaving this file out of Wasm builds keeps every guest
// binary, and so the fuel of every call in the golden timelines, unchanged:
// any exported function added to a package a guest links changes its
// layout, and with it the fuel of its calls.

//go:build !wasm

package abi

import (
	"strconv"
	"strings"
)

// The names users type for the ABI's kinds, in scenario files, run steps
// and commands, are the kebab-case forms of the ABI's own snake_case names:
// application-refresh for TaskApplicationRefresh ("application_refresh"),
// return-to-default-state for SnapshotReturnToDefaultState. They are derived
// here from the ABI's tables, and parsed here only, so that every front end
// accepts and lists the same names.

// NameError is a name that names no value of its kind.
type NameError struct {
	What  string   // what the name should have named: "task kind", ...
	Name  string   // the name given
	Names []string // every valid name, in the ABI's order
}

// Error returns, for example, `unknown task kind "refresh"; task kinds are:
// application-refresh, snapshot, ...`.
func (e *NameError) Error() string {
	return "unknown " + e.What + " " + strconv.Quote(e.Name) + "; " + e.What + "s are: " + strings.Join(e.Names, ", ")
}

// kebab turns an ABI name (application_refresh) into the name users type
// (application-refresh).
func kebab(name string) string { return strings.ReplaceAll(name, "_", "-") }

// TaskKindName returns the name users type for k: application-refresh,
// snapshot, url-session, ...
func TaskKindName(k TaskKind) string { return kebab(k.String()) }

// TaskKindNames returns the names users type for every task kind, in
// numeric order.
func TaskKindNames() []string {
	var names []string
	for _, k := range definedKeys[TaskKind](taskNames[:]) {
		names = append(names, TaskKindName(k))
	}
	return names
}

// ParseTaskKind returns the task kind named name (application-refresh,
// ...), or a *NameError.
func ParseTaskKind(name string) (TaskKind, error) {
	for _, k := range definedKeys[TaskKind](taskNames[:]) {
		if TaskKindName(k) == name {
			return k, nil
		}
	}
	return 0, &NameError{What: "task kind", Name: name, Names: TaskKindNames()}
}

// SnapshotReasonName returns the name users type for r: app-backgrounded,
// app-scheduled, ...
func SnapshotReasonName(r SnapshotReason) string { return kebab(r.String()) }

// SnapshotReasonNames returns the names users type for every snapshot
// reason, in numeric order.
func SnapshotReasonNames() []string {
	var names []string
	for _, r := range SnapshotReasons() {
		names = append(names, SnapshotReasonName(r))
	}
	return names
}

// ParseSnapshotReason returns the snapshot reason named name
// (app-backgrounded, ...), or a *NameError.
func ParseSnapshotReason(name string) (SnapshotReason, error) {
	for _, r := range SnapshotReasons() {
		if SnapshotReasonName(r) == name {
			return r, nil
		}
	}
	return 0, &NameError{What: "snapshot reason", Name: name, Names: SnapshotReasonNames()}
}

// PhoneKind is how data from the paired phone arrives (WatchConnectivity).
// Each kind reaches the guest as one of the phone events
// (EventPhoneUserInfo, EventPhoneApplicationContext, EventPhoneMessage); the
// kind decides when and whether it is delivered.
type PhoneKind uint8

// Phone data kinds.
const (
	PhoneUserInfo     PhoneKind = 1 // transferUserInfo: queued, delivered in order
	PhoneContext      PhoneKind = 2 // updateApplicationContext: only the latest counts
	PhoneMessage      PhoneKind = 3 // sendMessage: live, only while the watch app is reachable
	PhoneComplication PhoneKind = 4 // transferCurrentComplicationUserInfo: 50 a day
)

// String returns the name users type for k: user-info, context, message or
// complication.
func (k PhoneKind) String() string {
	switch k {
	case PhoneUserInfo:
		return "user-info"
	case PhoneContext:
		return "context"
	case PhoneMessage:
		return "message"
	case PhoneComplication:
		return "complication"
	}
	return "phone(" + itoa(int64(k)) + ")"
}

// PhoneKindNames returns the names users type for every phone data kind,
// in numeric order.
func PhoneKindNames() []string {
	var names []string
	for _, k := range phoneKinds() {
		names = append(names, k.String())
	}
	return names
}

func phoneKinds() []PhoneKind {
	return []PhoneKind{PhoneUserInfo, PhoneContext, PhoneMessage, PhoneComplication}
}

// ParsePhoneKind returns the phone data kind named name (user-info,
// context, message or complication), or a *NameError.
func ParsePhoneKind(name string) (PhoneKind, error) {
	for _, k := range phoneKinds() {
		if k.String() == name {
			return k, nil
		}
	}
	return 0, &NameError{What: "phone data kind", Name: name, Names: PhoneKindNames()}
}
