package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// testDebounce is short so that tests are fast; tests that need a burst to
// fit in one window use a longer one.
const testDebounce = 50 * time.Millisecond

// waitFor bounds how long a test waits for a batch that must come.
const waitFor = 10 * time.Second

// start watches dir and closes the watcher when the test ends.
func start(t *testing.T, dir string, opts Options) *Watcher {
	t.Helper()
	if opts.Debounce == 0 {
		opts.Debounce = testDebounce
	}
	w, err := New([]string{dir}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// next returns the next batch.
func next(t *testing.T, w *Watcher) Change {
	t.Helper()
	select {
	case c, ok := <-w.Changes():
		if !ok {
			t.Fatal("Changes closed")
		}
		return c
	case <-time.After(waitFor):
		t.Fatalf("no batch within %v", waitFor)
		return Change{}
	}
}

// expect checks that the next batch holds exactly the files names (relative
// to dir) and no error.
func expect(t *testing.T, w *Watcher, dir string, names ...string) {
	t.Helper()
	c := next(t, w)
	var want []string
	for _, n := range names {
		want = append(want, filepath.Join(dir, filepath.FromSlash(n)))
	}
	slices.Sort(want)
	if !slices.Equal(c.Paths, want) || c.Err != nil {
		t.Fatalf("got batch %q (err %v), want %q", c.Paths, c.Err, want)
	}
}

// expectNothing proves that what the test did since the last batch was not
// reported: it changes a sentinel file and checks that the next batch names
// only that file. Events arrive in order, so a batch for the earlier
// actions would have come first (or been merged into this one).
func expectNothing(t *testing.T, w *Watcher, dir string) {
	t.Helper()
	sentinel := filepath.Join(dir, "sentinel.go")
	write(t, sentinel, "package main // "+time.Now().String())
	expect(t, w, dir, "sentinel.go")
}

// write writes content to path, creating its directory.
func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// app makes a source bundle in a new temporary directory.
func app(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	// Resolve symlinks (a macOS TempDir is under /var -> /private/var).
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "watchapp.json"), `{"CFBundleIdentifier": "dev.watchbox.t", "abiVersion": 1, "source": "."}`)
	write(t, filepath.Join(dir, "main.go"), "package main\n")
	write(t, filepath.Join(dir, "go.mod"), "module t\n")
	return dir
}

func TestWriteReportedOnce(t *testing.T) {
	t.Parallel()
	dir := app(t)
	w := start(t, dir, Options{})
	write(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() {}\n")
	expect(t, w, dir, "main.go")
	expectNothing(t, w, dir)
}

func TestBurstGivesOneBatch(t *testing.T) {
	t.Parallel()
	dir := app(t)
	// The whole burst must fit in one window even on a loaded machine.
	w := start(t, dir, Options{Debounce: 300 * time.Millisecond})
	names := []string{"main.go", "a.go", "b.go", "lib/c.go", "go.mod"}
	made := time.Now()
	if err := os.MkdirAll(filepath.Join(dir, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	for i := range 20 {
		name := names[i%len(names)]
		write(t, filepath.Join(dir, filepath.FromSlash(name)), "package main // save "+string(rune('a'+i)))
	}
	saves := time.Since(t0)
	c := next(t, w)
	if len(c.Paths) != len(names) || c.Err != nil {
		t.Fatalf("got batch %q (err %v), want the %d files", c.Paths, c.Err, len(names))
	}
	// First is the burst's first event (the new directory's): after it
	// was made, before the last save ended, and at least the debounce
	// before the batch.
	if c.First.Before(made) || c.First.After(t0.Add(saves)) || time.Since(c.First) < 300*time.Millisecond {
		t.Errorf("First = %v; the directory was made at %v, the saves ran from %v for %v, the batch came %v", c.First, made, t0, saves, time.Now())
	}
	t.Logf("20 saves took %v; their batch came %v after the first", saves.Round(time.Microsecond), time.Since(t0).Round(time.Millisecond))
	expectNothing(t, w, dir)
}

func TestRenameOnSave(t *testing.T) {
	t.Parallel()
	dir := app(t)
	w := start(t, dir, Options{})
	main := filepath.Join(dir, "main.go")

	// Write a temporary file, rename it over the original.
	write(t, main+".tmp", "package main // v2\n")
	if err := os.Rename(main+".tmp", main); err != nil {
		t.Fatal(err)
	}
	expect(t, w, dir, "main.go")

	// Vim without backupcopy: move the original to a backup, write anew,
	// delete the backup; it also probes the directory with a file "4913".
	write(t, filepath.Join(dir, "4913"), "")
	os.Remove(filepath.Join(dir, "4913"))
	if err := os.Rename(main, main+"~"); err != nil {
		t.Fatal(err)
	}
	write(t, main, "package main // v3\n")
	os.Remove(main + "~")
	expect(t, w, dir, "main.go")

	// A rename-on-save of identical content is no change.
	write(t, main+".tmp", "package main // v3\n")
	if err := os.Rename(main+".tmp", main); err != nil {
		t.Fatal(err)
	}
	expectNothing(t, w, dir)
}

func TestNewAndRemovedSubdirectory(t *testing.T) {
	t.Parallel()
	dir := app(t)
	w := start(t, dir, Options{})

	// A file created together with its directories is found by the walk
	// of the new directory even if it was written before the watch.
	write(t, filepath.Join(dir, "a/b/c/deep.go"), "package c\n")
	expect(t, w, dir, "a/b/c/deep.go")
	// And the new directory is watched from then on.
	write(t, filepath.Join(dir, "a/b/c/deep.go"), "package c // edited\n")
	expect(t, w, dir, "a/b/c/deep.go")

	// A removed tree is dropped, and its files are reported as gone.
	if err := os.RemoveAll(filepath.Join(dir, "a")); err != nil {
		t.Fatal(err)
	}
	expect(t, w, dir, "a/b/c/deep.go")
	expectNothing(t, w, dir) // the events for a, b and c are handled too
	w.mu.Lock()
	for d := range w.dirs {
		if d != dir {
			t.Errorf("still watching %s", d)
		}
	}
	w.mu.Unlock()

	// A directory renamed into the tree is watched, and its files count.
	outside := t.TempDir()
	write(t, filepath.Join(outside, "pkg/x.go"), "package pkg\n")
	if err := os.Rename(filepath.Join(outside, "pkg"), filepath.Join(dir, "pkg")); err != nil {
		t.Fatal(err)
	}
	expect(t, w, dir, "pkg/x.go")
	write(t, filepath.Join(dir, "pkg/y.go"), "package pkg\n")
	expect(t, w, dir, "pkg/y.go")

	// A directory renamed within the tree: its files moved, and the new
	// name is watched while the old one is not.
	if err := os.Rename(filepath.Join(dir, "pkg"), filepath.Join(dir, "pkg2")); err != nil {
		t.Fatal(err)
	}
	expect(t, w, dir, "pkg/x.go", "pkg/y.go", "pkg2/x.go", "pkg2/y.go")
	write(t, filepath.Join(dir, "pkg2/z.go"), "package pkg\n")
	expect(t, w, dir, "pkg2/z.go")
	w.mu.Lock()
	if w.dirs[filepath.Join(dir, "pkg")] || !w.dirs[filepath.Join(dir, "pkg2")] {
		t.Errorf("watching %v after renaming pkg to pkg2", w.dirs)
	}
	w.mu.Unlock()
}

func TestNoChangeNoBatch(t *testing.T) {
	t.Parallel()
	dir := app(t)
	main := filepath.Join(dir, "main.go")
	write(t, filepath.Join(dir, "README.md"), "hi\n")
	w := start(t, dir, Options{})

	// Chmod only.
	if err := os.Chmod(main, 0o600); err != nil {
		t.Fatal(err)
	}
	// Touch.
	now := time.Now()
	if err := os.Chtimes(main, now, now); err != nil {
		t.Fatal(err)
	}
	// Saves of identical content.
	for range 3 {
		write(t, main, "package main\n")
	}
	// A file no build reads.
	write(t, filepath.Join(dir, "README.md"), "changed\n")
	// Editor swap, backup and lock files.
	for _, name := range []string{".main.go.swp", "main.go~", ".#main.go", "#main.go#"} {
		write(t, filepath.Join(dir, name), "x")
	}
	expectNothing(t, w, dir)
}

func TestVCSAndIgnoredDirs(t *testing.T) {
	t.Parallel()
	dir := app(t)
	cache := filepath.Join(dir, "cache")
	w := start(t, dir, Options{IgnoreDirs: []string{cache}})

	for _, name := range []string{".git/HEAD", ".git/objects/ab/x.go", ".hg/store/y.go", "node_modules/m/z.go", "cache/0123.wasm", ".build-1/out.wasm"} {
		write(t, filepath.Join(dir, filepath.FromSlash(name)), "package x // "+name)
	}
	expectNothing(t, w, dir)
	w.mu.Lock()
	for d := range w.dirs {
		if d != dir {
			t.Errorf("watching ignored %s", d)
		}
	}
	w.mu.Unlock()
}

func TestModuleBundleAndManifest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "watchapp.json"), `{"module": "build/app.wasm"}`)
	write(t, filepath.Join(dir, "build/app.wasm"), "\x00asm\x01\x00\x00\x00")
	dir, _ = filepath.EvalSymlinks(dir)
	w := start(t, dir, Options{})

	write(t, filepath.Join(dir, "build/app.wasm"), "\x00asm\x01\x00\x00\x00\x01")
	expect(t, w, dir, "build/app.wasm")
	write(t, filepath.Join(dir, "watchapp.json"), `{"module": "build/app.wasm", "x": 1}`)
	expect(t, w, dir, "watchapp.json")
	if err := os.Remove(filepath.Join(dir, "build/app.wasm")); err != nil {
		t.Fatal(err)
	}
	expect(t, w, dir, "build/app.wasm")
}

func TestRelevantOption(t *testing.T) {
	t.Parallel()
	dir := app(t)
	w := start(t, dir, Options{Relevant: func(p string) bool {
		return Relevant(p) || filepath.Ext(p) == ".png"
	}})
	write(t, filepath.Join(dir, "icon.png"), "png")
	expect(t, w, dir, "icon.png")
}

// TestSlowReceiverGetsMergedBatch checks that batches are not queued while
// the receiver is busy: they are merged into one.
func TestSlowReceiverGetsMergedBatch(t *testing.T) {
	t.Parallel()
	dir := app(t)
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	w := newWatcher(fsw, Options{Debounce: testDebounce})
	flushed := make(chan struct{}, 2)
	w.onBatch = func() { flushed <- struct{}{} }
	w.start()
	t.Cleanup(func() { w.Close() })
	if err := w.Add(dir); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "a.go"), "package main\n")
	<-flushed // the first batch is ready, and not received
	write(t, filepath.Join(dir, "b.go"), "package main\n")
	<-flushed
	expect(t, w, dir, "a.go", "b.go")
}

func TestOverflowRescans(t *testing.T) {
	t.Parallel()
	dir := app(t)
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	w := newWatcher(fsw, Options{Debounce: testDebounce})
	w.addWatch = func(string) error { return nil } // the kernel tells nothing
	w.start()
	t.Cleanup(func() { w.Close() })
	if err := w.Add(dir); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "main.go"), "package main // lost event\n")
	write(t, filepath.Join(dir, "sub/new.go"), "package sub\n")
	if err := os.Remove(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatal(err)
	}
	fsw.Errors <- fsnotify.ErrEventOverflow
	expect(t, w, dir, "go.mod", "main.go", "sub/new.go")
}

func TestCloseClosesChanges(t *testing.T) {
	t.Parallel()
	dir := app(t)
	w, err := New([]string{dir}, Options{Debounce: testDebounce})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-w.Changes(); ok {
		t.Error("Changes not closed")
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Add(dir); err == nil {
		t.Error("Add after Close succeeded")
	}
}

func TestAddErrors(t *testing.T) {
	t.Parallel()
	dir := app(t)
	if _, err := New([]string{filepath.Join(dir, "missing")}, Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing dir: %v", err)
	}
	if _, err := New([]string{filepath.Join(dir, "main.go")}, Options{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file: %v", err)
	}
}

// TestWatchLimitOnAdd injects ENOSPC into adding watches: at Add the error
// is returned, and for a directory created later it comes in a batch.
func TestWatchLimitOnAdd(t *testing.T) {
	t.Parallel()
	dir := app(t)
	write(t, filepath.Join(dir, "full/x.go"), "package full\n")
	proc := fakeProc(t, "8192\n", "128\n")

	newFull := func() *Watcher {
		fsw, err := fsnotify.NewWatcher()
		if err != nil {
			t.Fatal(err)
		}
		w := newWatcher(fsw, Options{Debounce: testDebounce})
		w.procSys = proc
		w.addWatch = func(p string) error {
			if strings.Contains(p, "full") {
				return syscall.ENOSPC
			}
			return fsw.Add(p)
		}
		w.start()
		t.Cleanup(func() { w.Close() })
		return w
	}

	err := newFull().Add(dir)
	var le *LimitError
	if !errors.As(err, &le) || le.Path != filepath.Join(dir, "full") || le.Current != 8192 {
		t.Fatalf("Add: %v", err)
	}
	if !strings.Contains(err.Error(), "sudo sysctl fs.inotify.max_user_watches=") {
		t.Errorf("Add: %v", err)
	}

	if err := os.RemoveAll(filepath.Join(dir, "full")); err != nil {
		t.Fatal(err)
	}
	w := newFull()
	if err := w.Add(dir); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "full/y.go"), "package full\n")
	c := next(t, w)
	if !errors.As(c.Err, &le) || le.Path != filepath.Join(dir, "full") {
		t.Fatalf("batch error: %v", c.Err)
	}
}

func TestHash(t *testing.T) {
	t.Parallel()
	dir := app(t)
	h0, err := Hash([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "main.go"), now, now)
	write(t, filepath.Join(dir, ".git/x.go"), "package x")
	write(t, filepath.Join(dir, "notes.txt"), "x")
	if h, _ := Hash([]string{dir}, Options{}); h != h0 {
		t.Error("hash changed without a relevant change")
	}
	write(t, filepath.Join(dir, "main.go"), "package main // edited\n")
	if h, _ := Hash([]string{dir}, Options{}); h == h0 {
		t.Error("hash did not change after an edit")
	}
	// The same files elsewhere hash the same.
	other := app(t)
	write(t, filepath.Join(other, "main.go"), "package main // edited\n")
	a, _ := Hash([]string{dir}, Options{})
	b, _ := Hash([]string{other}, Options{})
	if a != b {
		t.Error("hash depends on where the tree is")
	}
}

func TestIgnoredAndRelevant(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		".git": true, ".hg": true, ".svn": true, "node_modules": true, ".build-123": true,
		"x.go.swp": true, ".x.go.swx": true, "x.go~": true, ".#x.go": true, "#x.go#": true, "4913": true,
		"x.go___jb_tmp___": true, "x.go": false, "build": false, "vendor": false, "#": false,
	} {
		if Ignored(name) != want {
			t.Errorf("Ignored(%q) = %v", name, !want)
		}
	}
	for name, want := range map[string]bool{
		"/a/x.go": true, "/a/x_test.go": true, "/a/go.mod": true, "/a/go.sum": true, "/a/go.work": true,
		"/a/watchapp.json": true, "/a/build/app.wasm": true,
		"/a/x.go.tmp": false, "/a/.#x.go": false, "/a/README.md": false, "/a/x.json": false,
	} {
		if Relevant(name) != want {
			t.Errorf("Relevant(%q) = %v", name, !want)
		}
	}
}

func TestTwoBundlesAndWithin(t *testing.T) {
	t.Parallel()
	a, b := app(t), app(t)
	w := start(t, a, Options{})
	if err := w.Add(b); err != nil {
		t.Fatal(err)
	}
	// Adding a tree again (or a tree inside one) keeps its pending change.
	write(t, filepath.Join(a, "main.go"), "package main // a\n")
	if err := w.Add(a); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(b, "watchapp.json"), "{}")
	// The two edits may fall into one batch or two.
	var c Change
	for len(c.Paths) < 2 {
		got := next(t, w)
		if got.Err != nil {
			t.Fatal(got.Err)
		}
		c.Paths = mergeSorted(c.Paths, got.Paths)
	}
	wantA, wantB := filepath.Join(a, "main.go"), filepath.Join(b, "watchapp.json")
	if len(c.Paths) != 2 {
		t.Fatalf("got %q", c.Paths)
	}
	if got := c.Within(a); !slices.Equal(got, []string{wantA}) {
		t.Errorf("Within(a) = %q", got)
	}
	if got := c.Within(b + "/"); !slices.Equal(got, []string{wantB}) {
		t.Errorf("Within(b/) = %q", got)
	}
	if got := c.Within(filepath.Join(a, "sub")); got != nil {
		t.Errorf("Within(a/sub) = %q", got)
	}
}

// TestRealEditorSaves saves with real programs, each of which replaces the
// file rather than writing it in place: GNU sed -i (temp file + rename) and
// vim, with backupcopy=no and with its default "auto" (both rename the file
// to main.go~, write main.go anew and delete the backup; auto first probes
// the directory with a file 4913), as strace shows for vim 9.0.
func TestRealEditorSaves(t *testing.T) {
	t.Parallel()
	dir := app(t)
	main := filepath.Join(dir, "main.go")
	write(t, main, "package main // v0\n")
	w := start(t, dir, Options{})
	saves := []struct {
		name string
		args []string
	}{
		{"sed", []string{"-i", "s/v0/v1/", main}},
		// backupskip= because vim makes no backup (and writes in place) for
		// files under /tmp by default, which is where t.TempDir is.
		{"vim", []string{"-N", "-u", "NONE", "-i", "NONE", "-n", "-es", "-c", "set backupcopy=no backupskip=", "-c", "%s/v1/v2/", "-c", "wq", main}},
		{"vim", []string{"-N", "-u", "NONE", "-i", "NONE", "-n", "-es", "-c", "set backupskip=", "-c", "%s/v2/v3/", "-c", "wq", main}},
	}
	for i, s := range saves {
		path, err := exec.LookPath(s.name)
		if err != nil {
			t.Logf("%s not found: skipped", s.name)
			continue
		}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		out, err := exec.CommandContext(ctx, path, s.args...).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", s.name, s.args, err, out)
		}
		data, _ := os.ReadFile(main)
		if want := fmt.Sprintf("package main // v%d\n", i+1); string(data) != want {
			t.Fatalf("%s saved %q, want %q", s.name, data, want)
		}
		expect(t, w, dir, "main.go")
	}
	expectNothing(t, w, dir)
}
