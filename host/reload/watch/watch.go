package watch

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/watchbox/watchbox/host/input"
)

// defaultProcSys is where the inotify sysctls are read.
const defaultProcSys = "/proc/sys"

// DefaultDebounce is the quiet time that ends a batch when
// [Options.Debounce] is zero.
const DefaultDebounce = 100 * time.Millisecond

// maxWaitFactor bounds how long a batch can be held back by events that
// never stop: it is sent at the latest maxWaitFactor×Debounce after its
// first event.
const maxWaitFactor = 10

// Options configure a [Watcher]. The zero value is ready to use.
type Options struct {
	// Debounce is how long the trees must be quiet before a batch is sent.
	// It applies across all paths: an event on any relevant file or on a
	// directory restarts it. Zero means [DefaultDebounce]. A batch is sent
	// at the latest ten times Debounce after its first event, even if
	// events keep coming.
	Debounce time.Duration
	// Relevant reports whether a file's content matters to a build. Only
	// such files are hashed and reported. Nil means the package's
	// [Relevant]; a bundle that embeds other files (//go:embed) should add
	// their names.
	Relevant func(path string) bool
	// IgnoreDirs are directories inside the watched trees that are not
	// watched, such as a build cache directory (whose new .wasm files would
	// otherwise trigger a rebuild of their own). Relative paths are taken
	// from the current directory. Directories that [Ignored] names are
	// never watched.
	IgnoreDirs []string
	// Early, if set, is called from the watcher's goroutine each time an
	// event changes the content of a relevant file that exists: its hash,
	// read as the event is handled, differs from the last one read. It
	// comes as soon as the event is handled, before the quiet period
	// ends, so that a receiver can start a build ahead of the batch and,
	// when the batch comes, keep it only if [Watcher.Gen] still is the
	// Early's Gen (nothing changed since). A batch that had an Early call
	// and ends with nothing to report (the content changed back) is
	// followed by an Early with Quiet set, so that such work can be
	// dropped. Early must not block.
	Early func(Early)
}

// Early is a content change announced before its batch; see
// [Options.Early].
type Early struct {
	// Path is the absolute, cleaned path of the file whose content
	// changed; empty when Quiet.
	Path string
	// Gen is [Watcher.Gen] just after this change.
	Gen uint64
	// At is when the event was handled.
	At time.Time
	// Quiet says the batch ended with nothing to report, and Path is
	// empty.
	Quiet bool
}

// Change is one debounced batch.
type Change struct {
	// Paths are the absolute, cleaned paths of the relevant files whose
	// content changed, that appeared or that disappeared, sorted. It is
	// empty only when Err is set.
	Paths []string
	// Err reports problems met while watching since the last batch, such
	// as a new directory that could not be watched (a [*LimitError] when
	// the inotify limit was hit). Paths may then be incomplete.
	Err error
	// First is when the batch's first event arrived: about when the first
	// save of the burst happened, for measuring from a save to serving.
	First time.Time
}

// Within returns the paths of c that are dir or below it, for telling which
// of several watched bundles a batch concerns. dir is made absolute and
// cleaned first.
func (c Change) Within(dir string) []string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range c.Paths {
		if within(p, abs) {
			out = append(out, p)
		}
	}
	return out
}

// A Watcher watches directory trees and sends a [Change] when relevant
// files change. Create one with [New]; its methods are safe for concurrent
// use.
type Watcher struct {
	debounce   time.Duration
	relevant   func(string) bool
	ignoreDirs map[string]bool

	fsw *fsnotify.Watcher
	// addWatch and rmWatch add and remove the watch on one directory;
	// procSys is where sysctls are read. Tests replace them.
	addWatch func(string) error
	rmWatch  func(string) error
	procSys  string
	// onBatch, if set, is called by the loop when it has a batch for the
	// receiver; tests use it to know a batch is waiting.
	onBatch func()
	// clock reads the time and makes the debounce timer; tests give a
	// fake one, so that a batch is cut when the test says, never by
	// machine load. onEvent and onFlush, if set, are called by the loop
	// after it handled an fsnotify event, and after each debounce
	// (with whether it found a change): tests use them to know where the
	// loop is.
	clock   clock
	onEvent func(fsnotify.Event)
	onFlush func(sent bool)
	// early is Options.Early; announced whether it was called in the
	// batch being collected (the loop's).
	early     func(Early)
	announced bool
	// gen counts the content changes seen (see Gen).
	gen atomic.Uint64

	changes   chan Change
	done      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once

	mu      sync.Mutex
	closed  bool
	roots   map[string]bool
	dirs    map[string]bool              // directories with a watch
	sums    map[string][sha256.Size]byte // relevant files -> content hash
	pending map[string]bool              // paths to recheck at the next batch
	// live is what an event last read of a pending relevant file, when it
	// differs from sums: its hash, or that it was missing. Flush folds it
	// back into sums.
	live map[string]seen
	errs []error // problems for the next batch
}

// New watches the directory trees rooted at dirs (see [Watcher.Add]). It
// returns a [*LimitError] when the inotify instance or watch limit is
// reached.
func New(dirs []string, opts Options) (*Watcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, instanceError(defaultProcSys, err)
	}
	w := newWatcher(fsw, opts)
	w.start()
	for _, d := range dirs {
		if err := w.Add(d); err != nil {
			w.Close()
			return nil, err
		}
	}
	return w, nil
}

// newWatcher returns a Watcher over fsw that is not started yet.
func newWatcher(fsw *fsnotify.Watcher, opts Options) *Watcher {
	w := &Watcher{
		debounce:   opts.Debounce,
		relevant:   opts.Relevant,
		ignoreDirs: map[string]bool{},
		fsw:        fsw,
		addWatch:   fsw.Add,
		rmWatch:    fsw.Remove,
		procSys:    defaultProcSys,
		clock:      realClock{},
		changes:    make(chan Change),
		done:       make(chan struct{}),
		stopped:    make(chan struct{}),
		roots:      map[string]bool{},
		dirs:       map[string]bool{},
		sums:       map[string][sha256.Size]byte{},
		pending:    map[string]bool{},
		live:       map[string]seen{},
		early:      opts.Early,
	}
	if w.debounce <= 0 {
		w.debounce = DefaultDebounce
	}
	if w.relevant == nil {
		w.relevant = Relevant
	}
	for _, d := range opts.IgnoreDirs {
		if abs, err := filepath.Abs(d); err == nil {
			w.ignoreDirs[abs] = true
		}
	}
	return w
}

// start runs the event loop.
func (w *Watcher) start() { go w.loop() }

// Changes returns the channel of batches. It is closed by [Watcher.Close].
// Batches that arrive while the receiver is busy are merged into one, so a
// slow receiver sees one batch holding every path changed meanwhile.
func (w *Watcher) Changes() <-chan Change { return w.changes }

// Gen counts the content changes the watcher has seen so far, as their
// events were handled: it grows when a relevant file's content, read as
// its event is handled, differs from what was last read of it (or the
// file appeared or disappeared), when a directory appears in or
// disappears from the trees, when events were lost, and when a batch
// finds a file's content differs from what its last event read. A
// receiver that started work after reading Gen (or at an [Early] with
// this Gen) knows, while Gen stays the same, that no relevant content
// changed since, up to the events the watcher has not handled yet.
func (w *Watcher) Gen() uint64 { return w.gen.Load() }

// Add watches the tree rooted at dir: dir and every subdirectory that is not
// ignored, including those created later. Files already there are the
// baseline: they are hashed, and are reported only once their content
// changes. Adding a tree twice is harmless. When the inotify watch limit is
// reached it returns a [*LimitError]; the directories watched before that
// stay watched.
func (w *Watcher) Add(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("watch: %s is not a directory", abs)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("watch: watcher is closed")
	}
	w.roots[abs] = true
	return w.addTree(abs, false)
}

// Close stops watching and closes the [Watcher.Changes] channel. A batch
// not yet received is dropped.
func (w *Watcher) Close() error {
	var err error
	w.closeOnce.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		close(w.done)
		<-w.stopped
		err = w.fsw.Close()
		close(w.changes)
	})
	return err
}

// loop receives events, debounces them and sends batches.
func (w *Watcher) loop() {
	defer close(w.stopped)
	timer := w.clock.NewTimer()
	defer timer.Stop()
	var (
		timerC  <-chan time.Time // non-nil while a batch is being collected
		first   time.Time        // the batch's first event
		ready   Change           // a batch waiting for the receiver
		isReady bool
	)
	schedule := func() {
		now := w.clock.Now()
		if timerC == nil {
			first = now
			timerC = timer.C()
		}
		d := w.debounce
		if latest := first.Add(maxWaitFactor * w.debounce).Sub(now); latest < d {
			d = max(latest, 0)
		}
		timer.Reset(d)
	}
	for {
		var out chan<- Change
		if isReady {
			out = w.changes
		}
		select {
		case <-w.done:
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			matters, changed := w.handle(ev)
			if matters {
				schedule()
			}
			if changed != "" && w.early != nil {
				w.announced = true
				w.early(Early{Path: changed, Gen: w.Gen(), At: w.clock.Now()})
			}
			if w.onEvent != nil {
				w.onEvent(ev)
			}
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			w.mu.Lock()
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: look at everything again.
				w.rescan()
				w.gen.Add(1)
			} else {
				w.errs = append(w.errs, err)
			}
			w.mu.Unlock()
			schedule()
		case <-timerC:
			timerC = nil
			c, ok := w.flush()
			if ok {
				c.First = first
				if !isReady {
					ready, isReady = c, true
				} else {
					ready.Paths = mergeSorted(ready.Paths, c.Paths)
					ready.Err = errors.Join(ready.Err, c.Err)
				}
				if w.onBatch != nil {
					w.onBatch()
				}
			}
			if !ok && w.announced && w.early != nil {
				w.early(Early{Gen: w.Gen(), At: w.clock.Now(), Quiet: true})
			}
			w.announced = false
			if w.onFlush != nil {
				w.onFlush(ok)
			}
		case out <- ready:
			ready, isReady = Change{}, false
		}
	}
}

// clock is where the Watcher reads the time and gets its debounce timer.
type clock interface {
	Now() time.Time
	// NewTimer returns a stopped timer.
	NewTimer() timer
}

// timer is the part of *time.Timer the loop uses.
type timer interface {
	C() <-chan time.Time
	Reset(d time.Duration)
	Stop()
}

// realClock is the machine's clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer() timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return realTimer{t}
}

// realTimer is a *time.Timer.
type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time   { return r.t.C }
func (r realTimer) Reset(d time.Duration) { r.t.Reset(d) }
func (r realTimer) Stop()                 { r.t.Stop() }

// seen is what was read of a relevant file: its hash, or that it was
// missing (ok false).
type seen struct {
	sum [sha256.Size]byte
	ok  bool
}

// seenOf returns what was last read of the relevant file at path: by an
// event since the last batch, or else by the last batch (or the
// baseline). The caller holds w.mu.
func (w *Watcher) seenOf(path string) seen {
	if s, ok := w.live[path]; ok {
		return s
	}
	sum, ok := w.sums[path]
	return seen{sum, ok}
}

// handle records one event and reports whether it can matter, and the
// file whose content it changed (see Options.Early), if any.
func (w *Watcher) handle(ev fsnotify.Event) (matters bool, changed string) {
	if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Remove) && !ev.Has(fsnotify.Rename) {
		return false, "" // Chmod only
	}
	name := filepath.Clean(ev.Name)
	if Ignored(filepath.Base(name)) || w.ignoreDirs[name] {
		return false, ""
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		if w.dirs[name] {
			w.dropTree(name)
			w.gen.Add(1)
			return true, ""
		}
	}
	if ev.Has(fsnotify.Create) {
		// A new directory: watch it now, and walk it, since files may have
		// been written into it before its watch existed.
		if fi, err := os.Lstat(name); err == nil && fi.IsDir() {
			if err := w.addTree(name, true); err != nil && !errors.Is(err, fs.ErrNotExist) {
				w.errs = append(w.errs, err)
			}
			w.gen.Add(1)
			return true, ""
		}
	}
	if !w.relevant(name) {
		return false, ""
	}
	w.pending[name] = true
	// Read the file now, for Gen and Early: a save (a rename over the
	// file, or a write in place) is usually complete by the time its
	// event is handled; a file renamed away mid-save is missing, and
	// announced only once it is back with new content.
	sum, ok, err := hashFile(name)
	if err != nil {
		return true, "" // the batch reports it
	}
	if now := (seen{sum, ok}); now != w.seenOf(name) {
		w.live[name] = now
		w.gen.Add(1)
		if ok {
			return true, name
		}
	}
	return true, ""
}

// addTree watches root and its subdirectories. Relevant files found are
// hashed as the baseline, or, when asChanges is set, marked for the next
// batch. Errors on subdirectories that vanished meanwhile are ignored. The
// caller holds w.mu.
func (w *Watcher) addTree(root string, asChanges bool) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != root && errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			if path != root && (Ignored(d.Name()) || w.ignoreDirs[path]) {
				return filepath.SkipDir
			}
			if !w.dirs[path] {
				if err := w.addWatch(path); err != nil {
					if path != root && errors.Is(err, fs.ErrNotExist) {
						return filepath.SkipDir
					}
					return limitError(w.procSys, path, err)
				}
				w.dirs[path] = true
			}
			return nil
		}
		if !d.Type().IsRegular() || !w.relevant(path) {
			return nil
		}
		if asChanges {
			w.pending[path] = true
		} else if _, known := w.sums[path]; !known {
			// Known files keep their hash, so that re-adding a tree does not
			// hide a change that is waiting for the next batch.
			if sum, ok, err := hashFile(path); err == nil && ok {
				w.sums[path] = sum
			}
		}
		return nil
	})
}

// dropTree forgets dir and everything below it; the files known there are
// marked for the next batch (as removed, unless they are back by then). The
// caller holds w.mu.
func (w *Watcher) dropTree(dir string) {
	for d := range w.dirs {
		if within(d, dir) {
			delete(w.dirs, d)
			_ = w.rmWatch(d) // the kernel may have dropped it already
		}
	}
	for f := range w.sums {
		if within(f, dir) {
			w.pending[f] = true
		}
	}
}

// rescan walks every tree again after lost events: new directories are
// watched and every known and found file is rechecked. The caller holds
// w.mu.
func (w *Watcher) rescan() {
	for f := range w.sums {
		w.pending[f] = true
	}
	for root := range w.roots {
		if _, err := os.Stat(root); err != nil {
			continue
		}
		if err := w.addTree(root, true); err != nil {
			w.errs = append(w.errs, err)
		}
	}
}

// flush rehashes the pending paths and returns the batch, if there is
// anything to report.
func (w *Watcher) flush() (Change, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var changed []string
	for p := range w.pending {
		delete(w.pending, p)
		sum, ok, err := hashFile(p)
		last := w.seenOf(p)
		delete(w.live, p)
		if err != nil {
			w.errs = append(w.errs, err)
			w.gen.Add(1)
			continue
		}
		if (seen{sum, ok}) != last {
			// Changed after its last event was handled (that event is
			// still to come): what an Early announced is not current.
			w.gen.Add(1)
		}
		old, had := w.sums[p]
		switch {
		case ok && (!had || old != sum):
			w.sums[p] = sum
			changed = append(changed, p)
		case !ok && had:
			delete(w.sums, p)
			changed = append(changed, p)
		}
	}
	err := errors.Join(w.errs...)
	w.errs = nil
	if len(changed) == 0 && err == nil {
		return Change{}, false
	}
	slices.Sort(changed)
	return Change{Paths: changed, Err: err}, true
}

// hashFile returns the SHA-256 of the regular file at path; ok is false if
// there is none (missing, or not a regular file). It opens without
// blocking (input.Hash): a FIFO made in a watched directory must not stop
// the watcher.
func hashFile(path string) (sum [sha256.Size]byte, ok bool, err error) {
	sum, err = input.Hash(path, watchedFile)
	var odd *input.NotRegularError
	if errors.Is(err, fs.ErrNotExist) || errors.As(err, &odd) {
		return sum, false, nil
	}
	return sum, err == nil, err
}

// watchedFile is how input.Hash names a watched file; no cap, as it is
// hashed in a stream.
var watchedFile = input.Kind{Name: "watched file"}

// within reports whether path is dir or below it.
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

// mergeSorted returns the sorted union of two sorted slices.
func mergeSorted(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}
