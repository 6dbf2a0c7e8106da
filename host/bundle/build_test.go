package bundle

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// appFiles is a Go app bundle in its own module: a main package exporting
// hello, which calls a local library package that embeds a file.
var appFiles = map[string]string{
	"go.mod":           "module example.com/t\n\ngo 1.24\n",
	ManifestFile:       string(manifestJSON()),
	"main.go":          "package main\n\nimport \"example.com/t/lib\"\n\n//go:wasmexport hello\nfunc hello() int32 { return lib.Answer() }\n\nfunc main() {}\n",
	"lib/lib.go":       "package lib\n\nimport _ \"embed\"\n\n//go:embed greeting.txt\nvar greeting string\n\n// Answer is the answer.\nfunc Answer() int32 { return 42 + int32(len(greeting)) }\n",
	"lib/greeting.txt": "hi",
	"README.md":        "notes",
}

func newApp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, appFiles)
	return dir
}

func TestBuildCachesAndRebuildsOnChange(t *testing.T) {
	ctx := context.Background()
	dir := newApp(t)
	cache := t.TempDir()
	opts := BuildOptions{CacheDir: cache}

	data, first, err := Build(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\x00asm")) || !bytes.Contains(data, []byte("hello")) {
		t.Fatalf("build output is not a wasm module exporting hello (%d bytes)", len(data))
	}
	if first.Cached || first.Prebuilt || first.Path != filepath.Join(cache, first.Hash+".wasm") {
		t.Errorf("first build: %+v", first)
	}
	if onDisk, err := os.ReadFile(first.Path); err != nil || !bytes.Equal(onDisk, data) {
		t.Errorf("cache entry %s does not hold the module: %v", first.Path, err)
	}
	wantDirs := []string{filepath.Join(dir), filepath.Join(dir, "lib")}
	if real, err := filepath.EvalSymlinks(dir); err == nil && real != dir {
		wantDirs = []string{real, filepath.Join(real, "lib")}
	}
	if !reflect.DeepEqual(first.WatchDirs, wantDirs) {
		t.Errorf("WatchDirs = %q, want %q", first.WatchDirs, wantDirs)
	}

	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	wasm := func(step string, opts BuildOptions) BuildInfo {
		t.Helper()
		data, info, err := b.Wasm(ctx, opts)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if !bytes.HasPrefix(data, []byte("\x00asm")) {
			t.Fatalf("%s: not a wasm module", step)
		}
		return info
	}

	again := wasm("unchanged", opts)
	if !again.Cached || again.Hash != first.Hash || again.Duration >= first.Duration {
		t.Errorf("unchanged app: %+v, want cached with hash %s and faster than %v", again, first.Hash, first.Duration)
	}

	writeFiles(t, dir, map[string]string{"main.go": strings.Replace(appFiles["main.go"], "lib.Answer()", "lib.Answer() + 1", 1)})
	edited := wasm("edited main.go", opts)
	if edited.Cached || edited.Hash == first.Hash {
		t.Errorf("edited main.go: %+v, want a rebuild with a new hash", edited)
	}

	writeFiles(t, dir, map[string]string{"lib/lib.go": strings.Replace(appFiles["lib/lib.go"], "42", "43", 1)})
	libEdited := wasm("edited lib/lib.go", opts)
	if libEdited.Cached || libEdited.Hash == edited.Hash || libEdited.Hash == first.Hash {
		t.Errorf("edited imported package: %+v, want a rebuild with a new hash", libEdited)
	}

	forced := wasm("forced", BuildOptions{CacheDir: cache, Force: true})
	if forced.Cached || forced.Hash != libEdited.Hash {
		t.Errorf("Force: %+v, want a rebuild with the same hash", forced)
	}

	entries, _ := os.ReadDir(cache)
	var names []string
	for _, e := range entries {
		if e.Name() != "stamps" {
			names = append(names, e.Name())
		}
	}
	if len(names) != 3 {
		t.Errorf("cache holds %q, want 3 modules and no temporary files", names)
	}
}

func TestSourceHashInputs(t *testing.T) {
	ctx := context.Background()
	dir := newApp(t)
	opts := BuildOptions{GoCmd: "go"}
	hash := func() string {
		t.Helper()
		h, _, _, err := sourceHash(ctx, dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	base := hash()
	tests := []struct {
		name    string
		files   map[string]string
		changes bool
	}{
		{"same content rewritten", map[string]string{"main.go": appFiles["main.go"]}, false},
		{"unrelated file", map[string]string{"README.md": "other notes", "lib/notes.txt": "x"}, false},
		{"test file", map[string]string{"lib/lib_test.go": "package lib\n"}, false},
		{"file for another GOOS", map[string]string{"lib/x_windows.go": "package lib\n"}, false},
		{"embedded file", map[string]string{"lib/greeting.txt": "hello"}, true},
		{"new file in imported package", map[string]string{"lib/more.go": "package lib\n"}, true},
		{"go.mod", map[string]string{"go.mod": appFiles["go.mod"] + "// comment\n"}, true},
		{"go.sum appears", map[string]string{"go.sum": ""}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Cleanup(func() {
				for name := range tt.files {
					if orig, ok := appFiles[name]; ok {
						writeFiles(t, dir, map[string]string{name: orig})
					} else {
						os.Remove(filepath.Join(dir, name))
					}
				}
			})
			writeFiles(t, dir, tt.files)
			if changed := hash() != base; changed != tt.changes {
				t.Errorf("hash changed = %v, want %v", changed, tt.changes)
			}
		})
	}
	if h := hash(); h != base {
		t.Errorf("hash after restoring every file differs")
	}
	opts.Flags = []string{"-tags=debug"}
	if hash() == base {
		t.Errorf("build flags do not change the hash")
	}
}

func TestBuildFailure(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"type error", map[string]string{"lib/lib.go": "package lib\n\nfunc Answer() int32 { return \"x\" }\n"},
			[]string{"package example.com/t/lib", `cannot use "x"`, "lib.go:3:"}},
		{"syntax error", map[string]string{"main.go": "package main\n\nfunc main() {\n"},
			[]string{"main.go:4:", "expected }"}},
		{"missing package", map[string]string{"main.go": "package main\n\nimport _ \"example.com/t/nope\"\n\nfunc main() {}\n"},
			[]string{"example.com/t/nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newApp(t)
			writeFiles(t, dir, tt.files)
			cache := t.TempDir()
			_, _, err := Build(context.Background(), dir, BuildOptions{CacheDir: cache})
			var be *BuildError
			if !errors.As(err, &be) {
				t.Fatalf("error %v (%T) is not a *BuildError", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if entries, _ := os.ReadDir(cache); len(entries) != 0 {
				t.Errorf("failed build left %d cache entries", len(entries))
			}
		})
	}
}

func TestBuildContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := Build(ctx, newApp(t), BuildOptions{CacheDir: t.TempDir()})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// ageFiles sets the modification time of everything under dir an hour
// back, so that a stamp can be written right away (see stampSlack).
func ageFiles(t *testing.T, dir string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	err := filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(path, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBuildStampSkipsGoCommand: a source bundle whose files did not change
// gets its hash from the stamp, with no go command; any change to its
// inputs' metadata runs the full hash again.
func TestBuildStampSkipsGoCommand(t *testing.T) {
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "app")
	writeFiles(t, dir, appFiles)
	cache := t.TempDir()
	// A go command that logs its runs.
	bin := t.TempDir()
	log := filepath.Join(bin, "log")
	gocmd := filepath.Join(bin, "go")
	script := "#!/bin/sh\necho \"$1\" >> " + log + "\nexec " + realGo + " \"$@\"\n"
	if err := os.WriteFile(gocmd, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ageFiles(t, bin)
	opts := BuildOptions{CacheDir: cache, GoCmd: gocmd}
	runs := func() int {
		data, _ := os.ReadFile(log)
		os.Remove(log)
		return strings.Count(string(data), "\n")
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	build := func(step string) BuildInfo {
		t.Helper()
		data, info, err := b.Wasm(ctx, opts)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if !bytes.HasPrefix(data, []byte("\x00asm")) {
			t.Fatalf("%s: not a wasm module", step)
		}
		return info
	}

	ageFiles(t, root)
	first := build("first")
	if first.Stamped || runs() == 0 {
		t.Fatalf("first build: %+v, want a full hash and a build", first)
	}
	// The files are old enough to be trusted: the first build stamped
	// them.
	stamped := build("stamped")
	if !stamped.Stamped || !stamped.Cached || stamped.Hash != first.Hash || !reflect.DeepEqual(stamped.WatchDirs, first.WatchDirs) {
		t.Errorf("unchanged bundle: %+v, want stamped and cached with hash %s and dirs %q", stamped, first.Hash, first.WatchDirs)
	}
	if n := runs(); n != 0 {
		t.Errorf("an unchanged bundle ran the go command %d times", n)
	}

	for _, tc := range []struct {
		name    string
		change  func()
		newHash bool
	}{
		{"edited main.go", func() {
			writeFiles(t, dir, map[string]string{"main.go": strings.Replace(appFiles["main.go"], "lib.Answer()", "lib.Answer() + 1", 1)})
		}, true},
		{"new file in an imported package", func() {
			writeFiles(t, dir, map[string]string{"lib/more.go": "package lib\n"})
		}, true},
		{"new test file", func() {
			writeFiles(t, dir, map[string]string{"lib/lib_test.go": "package lib\n"})
		}, false},
		{"edited embedded file", func() {
			writeFiles(t, dir, map[string]string{"lib/greeting.txt": "hello"})
		}, true},
		{"go.work above the module", func() {
			writeFiles(t, root, map[string]string{"go.work": "go 1.24\n\nuse ./app\n"})
		}, true},
		{"GOFLAGS", func() { t.Setenv("GOFLAGS", "-tags=stamptest") }, true},
	} {
		tc.change()
		before := stamped.Hash
		info := build(tc.name)
		if info.Stamped || runs() == 0 {
			t.Errorf("%s: %+v, want the full hash (go command run)", tc.name, info)
		}
		if changed := info.Hash != before; changed != tc.newHash {
			t.Errorf("%s: hash changed = %v, want %v", tc.name, changed, tc.newHash)
		}
		// Once the change is old enough, the stamp is written again.
		ageFiles(t, root)
		build(tc.name + ", hashed again")
		runs()
		stamped = build(tc.name + ", stamped")
		if !stamped.Stamped || stamped.Hash != info.Hash || runs() != 0 {
			t.Errorf("%s, unchanged since: %+v, want stamped with hash %s and no go command", tc.name, stamped, info.Hash)
		}
	}
}

// TestBuildNotCachedWhenSourcesChangeDuringIt changes the sources while
// go build runs (from OnBuild, just before it starts): an edited input, a
// new file in a package, an edited embedded file. The module is returned
// but not cached under the hash of the sources before the change, which
// the check after the build sees without running the go command.
func TestBuildNotCachedWhenSourcesChangeDuringIt(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: three Go builds")
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		file string
		data string
	}{
		{"edited input", "main.go", strings.Replace(appFiles["main.go"], "lib.Answer()", "lib.Answer() + 2", 1)},
		{"new file in a package", "lib/more.go", "package lib\n\n// More is more.\nfunc More() int32 { return 1 }\n"},
		{"edited embedded file", "lib/greeting.txt", "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newApp(t)
			cache := t.TempDir()
			opts := BuildOptions{CacheDir: cache, OnBuild: func(string) {
				writeFiles(t, dir, map[string]string{tc.file: tc.data})
			}}
			_, info, err := Build(ctx, dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			if info.Path != "" || info.Cached {
				t.Errorf("sources changed during the build, yet %+v", info)
			}
			if _, err := os.Stat(filepath.Join(cache, info.Hash+".wasm")); err == nil {
				t.Errorf("the cache holds a module under the hash of the sources before the change")
			}
			// The next build hashes the new sources and caches them.
			_, next, err := Build(ctx, dir, BuildOptions{CacheDir: cache})
			if err != nil {
				t.Fatal(err)
			}
			if next.Hash == info.Hash || next.Path == "" {
				t.Errorf("the build after the change: %+v, want a new hash, cached", next)
			}
		})
	}
}

// A cache directory relative to the working directory names the same place
// for the go command, which runs in the app's directory.
func TestBuildRelativeCacheDir(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// Deeper than the working directory, so that the relative path's ".."
	// steps do not reach the root from the app's directory too.
	dir := filepath.Join(t.TempDir(), strings.Repeat("d"+string(filepath.Separator), strings.Count(wd, string(filepath.Separator))+1))
	writeFiles(t, dir, appFiles)
	cache := t.TempDir()
	rel, err := filepath.Rel(wd, cache)
	if err != nil || filepath.IsAbs(rel) {
		t.Skipf("no relative path from %s to %s", wd, cache)
	}
	data, info, err := Build(context.Background(), dir, BuildOptions{CacheDir: rel})
	if err != nil {
		t.Fatalf("Build with CacheDir %q: %v", rel, err)
	}
	if onDisk, err := os.ReadFile(filepath.Join(cache, info.Hash+".wasm")); err != nil || !bytes.Equal(onDisk, data) {
		t.Errorf("module not cached under %s: %v", cache, err)
	}
}

// TestBuildCacheDirUnusable: a build cache that cannot be made (--cache
// names a file) is said to be the build cache, with what to do; the error
// was only "mkdir X: not a directory".
func TestBuildCacheDirUnusable(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := Build(context.Background(), newApp(t), BuildOptions{CacheDir: filepath.Join(file, "build")})
	if err == nil || !strings.Contains(err.Error(), "build cache: mkdir "+file) || !strings.Contains(err.Error(), "(--cache)") {
		t.Errorf("error %v, want one naming the build cache and what to do", err)
	}
}

// TestBuildRemovesStaleTemporaryDirs: a build removes the temporary
// directories of builds that never ended (watchbox killed with SIGKILL
// while go build ran), once they are older than any build takes, and
// leaves a recent one, which may be another build's. They stayed in the
// cache forever, a module of megabytes each.
func TestBuildRemovesStaleTemporaryDirs(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	stale, recent := filepath.Join(cache, ".build-1"), filepath.Join(cache, ".build-2")
	for _, d := range []string{stale, recent} {
		writeFiles(t, d, map[string]string{"out.wasm": "\x00asm"})
	}
	old := time.Now().Add(-staleBuild - time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Build(context.Background(), newApp(t), BuildOptions{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("%s, a day old, is still there", stale)
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("%s, recent, was removed: %v", recent, err)
	}
}
