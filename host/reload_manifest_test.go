package host

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/profile"
)

// TestReloadManifest reloads the counter app with changed manifests: the
// keys that can change are in force after the swap (settings at the next
// app_info, the data quota in the container at once), with the same
// module they are applied alone, and a key a running app cannot take is
// refused by name, keeping the old module and manifest.
func TestReloadManifest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{Virtual: true, FrontmostTimeout: -1, SuspendDelay: -1})
	a := h.load(t, counterDir)
	v2, file := counterVariant(t, "v2", `version = "v1"`, `version = "v2"`)
	must(t, a.Launch(ctx))

	m := a.Manifest()
	m.Settings = json.RawMessage(`{"server":"https://other.example"}`)
	m.DataQuota = 2 << 20
	r, err := a.Dev().Reload(ctx, file, v2, WithManifest(m))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Carried || r.Version != 2 || !slices.Equal(r.Manifest, []string{"dataQuota", "settings"}) {
		t.Errorf("reload = %+v, want state carried, version 2, manifest [dataQuota settings]", r)
	}
	if got := string(a.Manifest().Settings); got != string(m.Settings) {
		t.Errorf("settings after the reload = %s, want %s", got, m.Settings)
	}
	a.sys.Lock()
	quota := a.sys.FS.Quota()
	info, _, _ := a.sys.Request(abi.OpAppInfo, nil)
	a.sys.Unlock()
	if quota != 2<<20 {
		t.Errorf("the container's quota = %d, want %d", quota, 2<<20)
	}
	if !strings.Contains(string(info), "other.example") {
		t.Errorf("app_info after the reload does not hold the new settings: %q", info)
	}

	// The same module with new allowed hosts: the manifest alone.
	m.AllowedHosts = []string{"other.example"}
	r, err = a.Dev().Reload(ctx, file, v2, WithManifest(m))
	if err != nil || !r.Same || !slices.Equal(r.Manifest, []string{"allowedHosts"}) {
		t.Errorf("manifest-only reload = %+v, %v; want Same, manifest [allowedHosts]", r, err)
	}
	if got := a.Manifest(); !got.AllowsHost("other.example") {
		t.Errorf("allowedHosts after the reload = %v", got.AllowedHosts)
	}
	if v, _, n := a.Dev().Version(); v != 2 || n != 1 {
		t.Errorf("Version() = %d, %d reloads; want 2, 1: no module was swapped", v, n)
	}

	// Keys a running app cannot take.
	for _, tc := range []struct {
		key  string
		edit func(*bundle.Manifest)
		want string
	}{
		{"CFBundleIdentifier", func(m *bundle.Manifest) { m.BundleIdentifier = "dev.watchbox.other" },
			`CFBundleIdentifier changed from "dev.watchbox.counter" to "dev.watchbox.other", which cannot change while the app runs: the bundle identifier is the app's identity`},
		{"memoryLimit", func(m *bundle.Manifest) { m.MemoryLimit = 32 << 20 },
			`memoryLimit changed from "64MiB" to "32MiB", which cannot change while the app runs`},
	} {
		bad := m
		bad.Settings = json.RawMessage(`{"lost":true}`)
		tc.edit(&bad)
		v1, f1 := counterVariant(t, "bench-a", `version = "v1"`, `version = "bench-a"`)
		_, err := a.Dev().Reload(ctx, f1, v1, WithManifest(bad))
		var re *ManifestRestartError
		if !errors.As(err, &re) || re.Key != tc.key || !strings.Contains(err.Error(), tc.want) ||
			!strings.Contains(err.Error(), filepath.Join(counterDir, bundle.ManifestFile)) || !strings.HasSuffix(err.Error(), "restart watchbox dev to apply it, or change it back") {
			t.Errorf("changing %s: %v; want a *ManifestRestartError with %q", tc.key, err, tc.want)
		}
		if v, _, _ := a.Dev().Version(); v != 2 || strings.Contains(string(a.Manifest().Settings), "lost") {
			t.Errorf("changing %s: the reload went partly through: version %d, settings %s", tc.key, v, a.Manifest().Settings)
		}
	}
	must(t, a.WristDown(ctx))
	must(t, a.Launch(ctx))
	if got := h.guestLines("v2 active"); len(got) != 1 || got[0] != "v2 active, opens 2" {
		t.Errorf("after the refused reloads: %q, want v2 serving with its count", got)
	}
}

// TestManifestChangesNamesEveryKey: every field of bundle.Manifest is
// compared by manifestChanges, so a new key cannot go unapplied unnoticed.
func TestManifestChangesNamesEveryKey(t *testing.T) {
	var old bundle.Manifest
	changed := bundle.Manifest{BundleIdentifier: "a", DisplayName: "a", ABIVersion: 9,
		BackgroundModes: []bundle.BackgroundMode{bundle.ModeAudio}, Complication: true, MemoryLimit: 1,
		AllowedHosts: []string{"a"}, DataQuota: 1, Module: "a", Source: "a", Settings: json.RawMessage("{}"),
		ExtendedFrontmostTimeout: true}
	if n, keys := reflectFields(changed), manifestChanges(old, changed); len(keys) != n {
		t.Errorf("manifestChanges names %d keys, %v; bundle.Manifest has %d fields: add the new one", len(keys), keys, n)
	}
}

// TestReloadKilledDuringSwap kills the app in the middle of a swap: the
// old version overruns its budget in save_state, the new one in
// restore_state, or a purge arrives while the swap holds the app. Each
// time the reload ends (no deadlock), the new module is in place, the
// system's state for the app (its scheduled refresh) survives, and the
// next event runs the new code. Not parallel: one case sets a package
// hook.
func TestReloadKilledDuringSwap(t *testing.T) {
	ctx := context.Background()
	prof := profile.Default()
	prof.EventTime = profile.Duration(20 * time.Millisecond) // save_state's and restore_state's budget
	cfg := Config{Virtual: true, FrontmostTimeout: -1, SuspendDelay: -1, Profile: prof}
	spin := `for a.opens >= 0 { a.opens = (a.opens*3 + 1) & 0xffff }`
	v2, f2 := counterVariant(t, "v2", `version = "v1"`, `version = "v2"`)
	for _, tc := range []struct {
		name     string
		from     string // the running version's variant, "" for the counter app
		to       []byte
		toFile   string
		crash    bool
		purge    bool
		want     []string // the swap's calls, with the state each left the app in
		wantLine string   // the next launch's
	}{
		{name: "old version in save_state", from: "spin-save", crash: true,
			want: []string{"save_state:not_running"}, wantLine: "v2 launched"},
		{name: "new version in restore_state", crash: true,
			want: []string{"save_state:background", "restore_state:not_running"}, wantLine: "spin-restore launched"},
		{name: "purge", purge: true,
			want: []string{"save_state:background", "restore_state:background"}, wantLine: "v2 launched"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, cfg)
			dir := counterDir
			if tc.from != "" {
				counterVariant(t, tc.from, `version = "v1"`, `version = "`+tc.from+`"`,
					"func (a *app) SaveState() ([]byte, error) {", "func (a *app) SaveState() ([]byte, error) {\n\t"+spin)
				dir = filepath.Join(testCache, "reload-src", tc.from)
			}
			to, toFile, toVersion := v2, f2, "v2"
			if strings.Contains(tc.name, "restore_state") {
				toVersion = "spin-restore"
				to, toFile = counterVariant(t, toVersion, `version = "v1"`, `version = "spin-restore"`,
					"func (a *app) RestoreState(b []byte) error {", "func (a *app) RestoreState(b []byte) error {\n\t"+spin)
			}
			a := h.load(t, dir)
			must(t, a.Launch(ctx))
			must(t, a.EnterBackground(ctx)) // a refresh due in 15 minutes
			h.events()
			purged := make(chan error, 1)
			if tc.purge {
				// The purge comes while the swap holds the app, in
				// save_state: it waits for the swap to end.
				h.rt.env.OnCall = func(c Call) {
					h.mu.Lock()
					h.call = append(h.call, c)
					h.mu.Unlock()
					if c.Event == abi.EventSaveState {
						go func() { purged <- a.Purge(ctx) }()
					}
				}
			}
			done := make(chan struct{})
			var r Reload
			var err error
			go func() {
				defer close(done)
				r, err = a.Dev().Reload(ctx, toFile, to)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Minute):
				t.Fatal("the reload did not end within 5 minutes: deadlock")
			}
			var crash *CrashError
			if tc.crash != errors.As(err, &crash) {
				t.Fatalf("reload = %+v, %v; want a crash: %v", r, err, tc.crash)
			}
			if tc.crash && (crash.Termination != TerminationCPU || r.Carried) {
				t.Errorf("crash = %+v, carried %v; want a deadline kill, nothing carried", crash, r.Carried)
			}
			if tc.purge {
				select {
				case err := <-purged:
					must(t, err)
				case <-time.After(5 * time.Minute):
					t.Fatal("the purge did not end within 5 minutes: deadlock")
				}
				if err != nil || !r.Carried {
					t.Errorf("reload with a purge waiting = %+v, %v; want the state carried before the purge", r, err)
				}
			}
			equal(t, "calls of the swap", h.events(), tc.want)
			if got := a.State(); got != abi.StateNotRunning {
				t.Errorf("state after the kill = %v, want not running", got)
			}
			if v, _, n := a.Dev().Version(); v != 2 || n != 1 {
				t.Errorf("Version() = %d, %d reloads; want 2, 1: the new module stays", v, n)
			}
			// The refresh the old version scheduled survives and runs the
			// new code, launched cold.
			must(t, h.rt.RunFor(ctx, 16*time.Minute))
			var got []string
			for _, l := range h.guestLines(toVersion) {
				if !strings.Contains(l, " restored, ") {
					got = append(got, l)
				}
			}
			if len(got) < 2 || got[0] != tc.wantLine || !strings.HasPrefix(got[1], toVersion+" application_refresh task") {
				t.Errorf("after the kill: %q, want %q, then the refresh", got, tc.wantLine)
			}
			// And the swap path still works.
			v1, f1 := counterVariant(t, "bench-a", `version = "v1"`, `version = "bench-a"`)
			if _, err := a.Dev().Reload(ctx, f1, v1); err != nil {
				t.Errorf("the next reload: %v", err)
			}
			must(t, a.Launch(ctx))
			if got := h.guestLines("bench-a active"); len(got) != 1 {
				t.Errorf("the next version serving: %q", got)
			}
		})
	}
}

// reflectFields is the number of fields of the struct v.
func reflectFields(v any) int { return reflect.TypeOf(v).NumField() }
