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
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// testDebounce is the debounce the tests' watchers are given. The tests
// run the watcher on a fake clock, so it is never waited for: a test cuts
// a batch itself (fire), once the watcher has handled every event of what
// the test did (settle). No batch depends on how fast the machine is.
const testDebounce = 50 * time.Millisecond

// waitFor bounds how long a test waits for the watcher to handle an event
// or hand over a batch that must come.
const waitFor = 10 * time.Second

// fakeClock is a clock the test moves, with a debounce timer that fires
// when the test says.
type fakeClock struct {
	c chan time.Time

	mu     sync.Mutex
	now    time.Time
	armed  bool
	resets []time.Duration // every debounce the loop asked for
}

func newFakeClock() *fakeClock {
	return &fakeClock{c: make(chan time.Time), now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) NewTimer() timer { return fakeTimer{f} }

// advance moves the clock on by d.
func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// lastReset returns the last debounce the loop asked for, and whether the
// timer is armed.
func (f *fakeClock) lastReset() (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.resets) == 0 {
		return 0, f.armed
	}
	return f.resets[len(f.resets)-1], f.armed
}

type fakeTimer struct{ f *fakeClock }

func (t fakeTimer) C() <-chan time.Time { return t.f.c }

func (t fakeTimer) Reset(d time.Duration) {
	t.f.mu.Lock()
	t.f.armed = true
	t.f.resets = append(t.f.resets, d)
	t.f.mu.Unlock()
}

func (t fakeTimer) Stop() {
	t.f.mu.Lock()
	t.f.armed = false
	t.f.mu.Unlock()
}

// tw is a Watcher under test: on a fake clock, with hooks that tell the
// test where its loop is.
type tw struct {
	*Watcher
	clock   *fakeClock
	flushed chan bool // each debounce's outcome: whether it found a change

	mu       sync.Mutex
	waitName string        // the settle file being waited for
	seen     chan struct{} // closed when the loop handled its event
	settles  int
}

// harness puts w, made by newWatcher and not started, on a fake clock,
// starts it, and closes it when the test ends.
func harness(t *testing.T, w *Watcher) *tw {
	t.Helper()
	h := &tw{Watcher: w, clock: newFakeClock(), flushed: make(chan bool, 1)}
	w.clock = h.clock
	w.onEvent = func(ev fsnotify.Event) {
		h.mu.Lock()
		if h.waitName != "" && filepath.Clean(ev.Name) == h.waitName {
			close(h.seen)
			h.waitName = ""
		}
		h.mu.Unlock()
	}
	w.onFlush = func(found bool) { h.flushed <- found }
	w.start()
	t.Cleanup(func() { w.Close() })
	return h
}

// start watches dir on a fake clock and closes the watcher when the test
// ends.
func start(t *testing.T, dir string, opts Options) *tw {
	t.Helper()
	if opts.Debounce == 0 {
		opts.Debounce = testDebounce
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	h := harness(t, newWatcher(fsw, opts))
	if err := h.Add(dir); err != nil {
		t.Fatal(err)
	}
	return h
}

// settle returns once the watcher's loop has handled every event of what
// the test did so far. It creates a file the watcher ignores (an editor
// backup's name) in dir, a watched directory, and waits for its event:
// the kernel queues events in order, so all earlier ones were handled
// before it.
func settle(t *testing.T, h *tw, dir string) {
	t.Helper()
	h.mu.Lock()
	h.settles++
	name := filepath.Join(dir, fmt.Sprintf("settle-%d~", h.settles))
	seen := make(chan struct{})
	h.waitName, h.seen = name, seen
	h.mu.Unlock()
	write(t, name, "")
	select {
	case <-seen:
	case <-time.After(waitFor):
		t.Fatalf("the watcher did not see %s within %v", name, waitFor)
	}
	os.Remove(name) // its event is ignored too
}

// fire ends the debounce, as its timer would: the loop hashes the files
// its events named. It reports whether the timer was armed (an event
// that can matter came since the last batch) and, if so, whether the
// batch found a change.
func fire(t *testing.T, h *tw) (armed, found bool) {
	t.Helper()
	if _, armed := h.clock.lastReset(); !armed {
		return false, false
	}
	return true, timeout(t, h)
}

// timeout ends the debounce the loop armed or is about to arm, and reports
// whether the batch found a change.
func timeout(t *testing.T, h *tw) (found bool) {
	t.Helper()
	select {
	case h.clock.c <- h.clock.Now():
	case <-time.After(waitFor):
		t.Fatalf("the watcher's loop did not take the timer within %v", waitFor)
	}
	h.clock.mu.Lock()
	h.clock.armed = false
	h.clock.mu.Unlock()
	select {
	case found = <-h.flushed:
	case <-time.After(waitFor):
		t.Fatalf("the watcher did not end its batch within %v", waitFor)
	}
	return found
}

// receive returns the batch the watcher hands over.
func receive(t *testing.T, h *tw) Change {
	t.Helper()
	select {
	case c, ok := <-h.Changes():
		if !ok {
			t.Fatal("Changes closed")
		}
		return c
	case <-time.After(waitFor):
		t.Fatalf("no batch within %v", waitFor)
		return Change{}
	}
}

// next waits until the watcher has handled what the test did in dir (or
// anywhere watched before it), ends the debounce and returns the batch.
func next(t *testing.T, h *tw, dir string) Change {
	t.Helper()
	settle(t, h, dir)
	armed, found := fire(t, h)
	if !armed || !found {
		t.Fatalf("no batch: an event that can matter came: %v; a file changed: %v", armed, found)
	}
	return receive(t, h)
}

// expect checks that the next batch holds exactly the files names (relative
// to dir) and no error.
func expect(t *testing.T, h *tw, dir string, names ...string) {
	t.Helper()
	c := next(t, h, dir)
	var want []string
	for _, n := range names {
		want = append(want, filepath.Join(dir, filepath.FromSlash(n)))
	}
	slices.Sort(want)
	if !slices.Equal(c.Paths, want) || c.Err != nil {
		t.Fatalf("got batch %q (err %v), want %q", c.Paths, c.Err, want)
	}
}

// expectNothing proves that what the test did since the last batch is not
// reported: once the watcher has handled every event of it, ending the
// debounce finds no change. Then a real change is still reported, alone.
func expectNothing(t *testing.T, h *tw, dir string) {
	t.Helper()
	settle(t, h, dir)
	if _, found := fire(t, h); found {
		t.Fatalf("got batch %q, want none", receive(t, h).Paths)
	}
	write(t, filepath.Join(dir, "sentinel.go"), "package main // "+time.Now().String())
	expect(t, h, dir, "sentinel.go")
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
	w := start(t, dir, Options{})
	first := w.clock.Now()
	names := []string{"main.go", "a.go", "b.go", "lib/c.go", "go.mod"}
	if err := os.MkdirAll(filepath.Join(dir, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	settle(t, w, dir) // the burst's first event is handled at first
	for i := range 20 {
		name := names[i%len(names)]
		write(t, filepath.Join(dir, filepath.FromSlash(name)), "package main // save "+string(rune('a'+i)))
		w.clock.advance(testDebounce / 10) // each save well inside the debounce
	}
	c := next(t, w, dir)
	if len(c.Paths) != len(names) || c.Err != nil {
		t.Fatalf("got batch %q (err %v), want the %d files", c.Paths, c.Err, len(names))
	}
	// First is the burst's first event (the new directory's).
	if !c.First.Equal(first) {
		t.Errorf("First = %v, want the time of the first event, %v", c.First, first)
	}
	// Every event restarted the debounce in full: the burst lasted 2
	// debounces, under the batch's cap of 10.
	w.clock.mu.Lock()
	resets := slices.Clone(w.clock.resets)
	w.clock.mu.Unlock()
	if len(resets) < 20 {
		t.Errorf("the debounce restarted %d times for 20 saves", len(resets))
	}
	for i, d := range resets {
		if d != testDebounce {
			t.Errorf("restart %d: debounce %v, want %v", i, d, testDebounce)
		}
	}
	expectNothing(t, w, dir)
}

// TestBatchCap checks that events that never stop hold a batch back at
// most ten debounces after its first event.
func TestBatchCap(t *testing.T) {
	t.Parallel()
	dir := app(t)
	w := start(t, dir, Options{})
	save := func(i int, wantWait time.Duration) {
		t.Helper()
		write(t, filepath.Join(dir, "main.go"), fmt.Sprintf("package main // %d\n", i))
		settle(t, w, dir)
		if d, armed := w.clock.lastReset(); !armed || d != wantWait {
			t.Fatalf("save %d: timer armed %v for %v, want %v", i, armed, d, wantWait)
		}
	}
	save(0, testDebounce)
	w.clock.advance(9 * testDebounce)
	save(1, testDebounce)
	w.clock.advance(testDebounce / 2)
	save(2, testDebounce/2) // the cap is nearer than a whole debounce
	w.clock.advance(testDebounce)
	save(3, 0) // past the cap: the batch is due now
	expect(t, w, dir, "main.go")
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
	w := harness(t, newWatcher(fsw, Options{Debounce: testDebounce}))
	if err := w.Add(dir); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "a.go"), "package main\n")
	settle(t, w, dir)
	if _, found := fire(t, w); !found { // the first batch is ready, and not received
		t.Fatal("no batch for a.go")
	}
	write(t, filepath.Join(dir, "b.go"), "package main\n")
	expect(t, w, dir, "a.go", "b.go")
}

func TestOverflowRescans(t *testing.T) {
	t.Parallel()
	dir := app(t)
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	nw := newWatcher(fsw, Options{Debounce: testDebounce})
	nw.addWatch = func(string) error { return nil } // the kernel tells nothing
	w := harness(t, nw)
	if err := w.Add(dir); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "main.go"), "package main // lost event\n")
	write(t, filepath.Join(dir, "sub/new.go"), "package sub\n")
	if err := os.Remove(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatal(err)
	}
	fsw.Errors <- fsnotify.ErrEventOverflow
	// No event comes to settle on: the loop took the overflow, and it
	// takes the timer only once it has rescanned and armed it.
	if !timeout(t, w) {
		t.Fatal("no change found after the overflow")
	}
	c := receive(t, w)
	var want []string
	for _, n := range []string{"go.mod", "main.go", "sub/new.go"} {
		want = append(want, filepath.Join(dir, filepath.FromSlash(n)))
	}
	if !slices.Equal(c.Paths, want) || c.Err != nil {
		t.Fatalf("got batch %q (err %v), want %q", c.Paths, c.Err, want)
	}
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

	newFull := func() *tw {
		fsw, err := fsnotify.NewWatcher()
		if err != nil {
			t.Fatal(err)
		}
		w := newWatcher(fsw, Options{Debounce: testDebounce})
		w.procSys = proc
		w.addWatch = func(p string) error {
			// Only the "full" directory under dir: the test's temporary
			// directory may itself have "full" in its path.
			if rel, err := filepath.Rel(dir, p); err == nil && (rel == "full" || strings.HasPrefix(rel, "full"+string(filepath.Separator))) {
				return syscall.ENOSPC
			}
			return fsw.Add(p)
		}
		return harness(t, w)
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
	c := next(t, w, dir)
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
	// One inotify queue for both trees: settling on b settles a too.
	c := next(t, w, b)
	if c.Err != nil {
		t.Fatal(c.Err)
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
