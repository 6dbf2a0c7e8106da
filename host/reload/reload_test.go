package reload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/bundle"
)

// waitFor bounds each wait for the Reloader; nothing is asserted on time.
const waitFor = 2 * time.Minute

// testDebounce is long enough that the test's saves, made one after the
// other, fall in one batch even on a loaded machine.
const testDebounce = 2 * time.Second

// longApp writes a .wasm bundle of tests/testdata/long-v1.wasm and loads
// it, launched, on the virtual clock; it returns the app, its directory
// and the test guests' two versions.
func longApp(t *testing.T) (*host.App, string, [2][]byte) {
	t.Helper()
	var mods [2][]byte
	for i, name := range []string{"long-v1.wasm", "long-v2.wasm"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "tests", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		mods[i] = b
	}
	dir := t.TempDir()
	manifest := `{"CFBundleIdentifier": "dev.watchbox.test.long", "CFBundleDisplayName": "Long", "abiVersion": 1, "memoryLimit": "2MiB", "module": "app.wasm"}`
	if err := os.WriteFile(filepath.Join(dir, "watchapp.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.wasm"), mods[0], 0o644); err != nil {
		t.Fatal(err)
	}
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
	if err := a.Launch(ctx); err != nil {
		t.Fatal(err)
	}
	return a, dir, mods
}

// saveWasm replaces dir/app.wasm with data by a rename, as editors and
// build tools do.
func saveWasm(t *testing.T, dir string, data []byte) {
	t.Helper()
	tmp := filepath.Join(dir, ".app.wasm.tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "app.wasm")); err != nil {
		t.Fatal(err)
	}
}

// shortHash is the module hash a reload reports for data.
func shortHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// TestAheadIsRedoneWhenTheSourcesChangeAgain: a reload started at a save
// is dropped when another save comes before the batch, and the batch's
// one reload is of the last save's module, built ahead. A batch whose
// saves end with the running module's bytes reloads nothing, and drops
// the reload started ahead: the next reload is the app's second.
func TestAheadIsRedoneWhenTheSourcesChangeAgain(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, dir, mods := longApp(t)
	events := make(chan Event, 16)
	r, err := New(ctx, []*host.App{a}, Options{
		Build:    bundle.BuildOptions{CacheDir: t.TempDir()},
		Debounce: testDebounce,
		Report:   func(ev Event) { events <- ev },
	})
	if err != nil {
		t.Fatal(err)
	}
	ahead := make(chan string, 16)
	r.onAhead = func(what string) { ahead <- what }
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		r.Close()
		<-done
	}()
	await := func(what string) {
		t.Helper()
		deadline := time.After(waitFor)
		for {
			select {
			case got := <-ahead:
				if got == what {
					return
				}
			case ev := <-events:
				t.Fatalf("a reload (%+v) while waiting for a reload ahead to be %s", ev, what)
			case <-deadline:
				t.Fatalf("no reload ahead %s within %v", what, waitFor)
			}
		}
	}
	next := func() Event {
		t.Helper()
		select {
		case ev := <-events:
			// What the reloads ahead of this batch told is over: a
			// reload taken was built before it was reported.
			for len(ahead) > 0 {
				<-ahead
			}
			return ev
		case <-time.After(waitFor):
			t.Fatalf("no reload within %v", waitFor)
			return Event{}
		}
	}

	// v2, then (once v2 is built ahead) v2 with a custom section: one
	// reload, of the second, built ahead.
	v2b := append(slices.Clone(mods[1]), 0x00, 0x03, 0x01, 'x', 0x01)
	saveWasm(t, dir, mods[1])
	await("built")
	saveWasm(t, dir, v2b)
	await("dropped")
	ev := next()
	if ev.Err != nil || !ev.Swapped() || !ev.Ahead || ev.Version != 2 || ev.Hash != shortHash(v2b) || !slices.Equal(ev.Changed, []string{"app.wasm"}) {
		t.Fatalf("reload %+v; want version 2 of the last save (%s), built ahead, app.wasm changed", ev, shortHash(v2b))
	}

	// v1, then v2b again before the batch: the reload started for v1 is
	// dropped at the second save, the one for v2b when the batch ends
	// with nothing changed, and nothing reloads; then v1 alone.
	saveWasm(t, dir, mods[0])
	await("built")
	saveWasm(t, dir, v2b)
	await("dropped")
	await("dropped")
	saveWasm(t, dir, mods[0])
	ev = next()
	if ev.Err != nil || !ev.Swapped() || ev.Version != 3 || ev.Hash != shortHash(mods[0]) {
		t.Fatalf("reload %+v; want version 3 of v1 (%s): the batch that ended as it began reloads nothing", ev, shortHash(mods[0]))
	}
	if v, hash, reloads := a.Dev().Version(); v != 3 || hash != shortHash(mods[0]) || reloads != 2 {
		t.Fatalf("the app runs version %d (%s) after %d reloads; want 3 (%s) after 2", v, hash, reloads, shortHash(mods[0]))
	}
}

// TestReloadHasBuildWarnings: a reload of a Go bundle carries its build's
// warnings (here a misspelled delegate method in tests/apps/misfit), as
// the load did, so that `watchbox dev` prints them with the reload; the
// reload whose build is the cache's (the module is the same) has them
// too.
func TestReloadHasBuildWarnings(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds tests/apps/misfit")
	}
	t.Parallel()
	ctx := context.Background()
	cache := t.TempDir()
	rt, err := host.New(ctx, host.Config{CacheDir: cache, DataDir: t.TempDir(), Virtual: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	a, err := rt.Load(ctx, filepath.Join("..", "..", "tests", "apps", "misfit"))
	if err != nil {
		t.Fatal(err)
	}
	ev, info := Reload(ctx, a, bundle.BuildOptions{CacheDir: filepath.Join(cache, "build")})
	want := []string{"watch.Register: main.misfit has method DidReceiveUserinfo([]byte), which is no delegate method, so it is never called; did you mean DidReceiveUserInfo(payload []byte)?"}
	if ev.Err != nil || !ev.Same || !slices.Equal(ev.Warnings, want) || !slices.Equal(info.Warnings, want) {
		t.Fatalf("reload %+v (build %+v); want the same module, with the warnings %q", ev, info, want)
	}
}
