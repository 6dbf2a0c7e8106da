package host

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// TestSharedCachesShareOneRuntime: runtimes made with one sharedCaches run
// their apps of a memory limit in one wazero runtime (so a module one
// compiled is in memory for the others), closing one leaves the caches open
// for the rest, a runtime of its own caches does not share, and a runtime
// whose CacheDir is not the shared caches' is refused.
func TestSharedCachesShareOneRuntime(t *testing.T) {
	t.Parallel()
	warmCaches.Do(warmTestCache)
	ctx := context.Background()
	nop := zerolog.Nop()
	shared := new(sharedCaches)
	newRuntime := func(cfg Config) *Runtime {
		t.Helper()
		cfg.DataDir, cfg.Logger, cfg.Virtual = t.TempDir(), &nop, true
		if cfg.CacheDir == "" {
			cfg.CacheDir = testCache
		}
		rt, err := New(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rt.Close(ctx) })
		return rt
	}
	load := func(rt *Runtime) *App {
		t.Helper()
		a, err := rt.Load(ctx, helloDir)
		if err != nil {
			t.Fatalf("Load(%s): %v", helloDir, err)
		}
		if err := a.Launch(ctx); err != nil {
			t.Fatalf("Launch: %v", err)
		}
		return a
	}
	first := load(newRuntime(Config{sharedCaches: shared}))
	secondRT := newRuntime(Config{sharedCaches: shared})
	second := load(secondRT)
	if first.sys.Guest.Modules() != second.sys.Guest.Modules() {
		t.Error("two runtimes of one sharedCaches run hello in different wazero runtimes")
	}
	own := load(newRuntime(Config{}))
	if own.sys.Guest.Modules() == first.sys.Guest.Modules() {
		t.Error("a runtime with caches of its own shares the wazero runtime of a sharedCaches")
	}

	if err := secondRT.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	third := load(newRuntime(Config{sharedCaches: shared}))
	if third.sys.Guest.Modules() != first.sys.Guest.Modules() {
		t.Error("after one runtime closed, the next of the sharedCaches runs hello in another wazero runtime")
	}

	other := t.TempDir()
	_, err := New(ctx, Config{CacheDir: other, DataDir: t.TempDir(), Logger: &nop, sharedCaches: shared})
	if err == nil || !strings.Contains(err.Error(), other) || !strings.Contains(err.Error(), testCache) {
		t.Errorf("New with another CacheDir than the shared caches': %v; want an error naming both", err)
	}
}

// TestCacheDirMadeAbsolute: a relative CacheDir becomes one absolute path
// for every cache, so that the go command (which builds in the app's
// directory) and the meter and compilation caches name the same place,
// even where the working directory was reached through a symbolic link.
func TestCacheDirMadeAbsolute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rel, err := filepath.Rel(wd, dir)
	if err != nil || filepath.IsAbs(rel) {
		t.Skipf("no relative path from %s to %s", wd, dir)
	}
	rt, err := New(ctx, Config{CacheDir: rel, DataDir: t.TempDir(), Virtual: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	if rt.loader.cacheDir != dir {
		t.Errorf("CacheDir %q became %q, want the absolute %q", rel, rt.loader.cacheDir, dir)
	}
	if build := rt.loader.buildCache(); !strings.HasPrefix(build, dir+string(filepath.Separator)) {
		t.Errorf("build cache %q is not under %q", build, dir)
	}
	for _, sub := range []string{"wazero", "meter"} {
		if _, err := os.Stat(filepath.Join(dir, sub)); err != nil {
			t.Errorf("the %s cache is not in %s: %v", sub, dir, err)
		}
	}
}
