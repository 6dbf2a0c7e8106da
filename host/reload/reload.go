// Package reload is `watchbox dev`'s loop: it watches the sources of
// running apps (package watch), rebuilds a bundle when its files change,
// and swaps the new module into the running app (host.App.Dev().Reload), which
// carries the app's state across when the app saves and restores it.
//
// A failed build, a module the runtime refuses or a bad manifest keeps the
// last good version running and is reported with the tool's own words
// (go build's file:line); the next save tries again. A build runs while the
// old version keeps serving; the swap itself waits for the app's call path,
// so it happens between two events, never inside one.
//
// # Building ahead of the debounce
//
// The watcher cuts a batch after a quiet period (100 ms): a burst of
// saves (an editor's temporary file and rename, a "save all", a
// formatter rewriting the file) gives one reload. Waiting for the quiet
// period before building would put it on the path from the save to the
// new version serving, which the target (build + compile + 100 ms)
// cannot afford. So the Reloader starts the reload at the first change
// the watcher announces (watch.Options.Early: the event's file was read
// and its content differs), while the quiet period runs: the bundle's
// build (a Go build, or reading the .wasm file) and host.Dev.Prepare
// (check, meter, compile, start the new instance), all with the old
// version serving. A later change in the same burst drops that reload
// (a go build in progress is stopped, its process group signalled) and
// starts another from the new content. When the batch comes, the reload
// started last is taken only if the watcher's generation (watch.Watcher.Gen)
// is still the one it started at, once its build has ended: no relevant
// file's content changed from before the build read its sources to now,
// and a Go build also found its sources unchanged at its own end (it
// hashes them before and reads them again after; bundle.BuildInfo.Path).
// The module is then of the sources as they are when the batch is cut,
// and its build error, if any, is theirs. Otherwise it is dropped and
// the reload runs from scratch, as before. The swap happens only after
// the batch, so the debounce still decides what is one reload; only the
// work before the swap moved ahead of it.
//
// Restarting at every change, rather than keeping the first build and
// checking at the batch, gives the latency of the last save: keeping the
// first would rebuild after every burst whose saves differ, from the end
// of the quiet period, which is the old latency. What it costs is bounded:
// a dropped Go build is stopped within milliseconds (the go command's
// cache keeps what it compiled), and a dropped compile (wazero's cannot
// be interrupted) runs to its end and is thrown away, while the next
// reload's compile waits for it, so that two never share the CPU. A burst
// of distinct .wasm modules within the quiet period so costs at most one
// compile more than it did; a single save costs nothing more.
// docs/performance.md ("Issue 12, session 7") has the measures.
package reload

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/reload/watch"
)

// Options configure a Reloader.
type Options struct {
	// Build are the options of every rebuild (its CacheDir above all,
	// which should be the runtime's, so that the first build is cached).
	Build bundle.BuildOptions
	// Debounce is the quiet time that ends a burst of saves; zero means
	// watch.DefaultDebounce (100 ms).
	Debounce time.Duration
	// Report, if set, is called after every reload attempt, in order, from
	// the goroutine running Run.
	Report func(Event)
}

// Event is one reload attempt of one app.
type Event struct {
	App *host.App
	// Changed are the changed files that concern the app, relative to its
	// bundle directory when inside it.
	Changed []string
	// Build is the time the bundle took to open and build (or read, for a
	// .wasm bundle); Cached says the build cache already had the module.
	Build  time.Duration
	Cached bool
	// Warnings are the build-time checks' warnings of the sources the
	// reload built (bundle.BuildInfo.Warnings: a method of the registered
	// delegate whose name is close to a delegate method's, so never
	// called), one sentence each, as a load logs them: every reload whose
	// build ran has them, whether or not its swap went through, so that
	// a delegate method misspelled while editing is reported at the save
	// that misspelled it. Empty for a .wasm bundle and a failed build.
	Warnings []string
	// Reload is how the swap went (its Version, Hash, Compile, Wait and
	// Swap times, and whether the state was carried).
	host.Reload
	// Ahead says the build (and compile) started at a change announced
	// before the quiet period ended, and was kept: the sources had not
	// changed since (see Run).
	Ahead bool
	// Serving is the time from the first save of the burst (the watcher's
	// first event) to the end of the reload, the new version serving: the
	// debounce, the build, the compile, the swap and everything between.
	// Zero for a reload no save started.
	Serving time.Duration
	// Err is why the reload failed; the old version keeps running unless
	// a call of the swap failed (host.IsGuestFailure): a *host.CrashError
	// (the new version is in place and starts at the next event) or a
	// *host.HandlerError (a handler of the new version, such as its
	// did_finish_launching after a cold start, returned an error or
	// panicked; the new version is in place and running). A build failure is a
	// *bundle.BuildError, a refused module or manifest an
	// *host.InvalidAppError (a bad watchapp.json with the checker's
	// file:line:column), a manifest key that cannot change while the app
	// runs a *host.ManifestRestartError.
	Err error
}

// Swapped reports whether the event put a new module in place: with no
// error, or with a guest failure in the swap's calls (see Err).
func (e Event) Swapped() bool {
	return !e.Same && (e.Err == nil || host.IsGuestFailure(e.Err))
}

// Reloader watches the bundles of apps and reloads each when its sources
// change.
type Reloader struct {
	opts Options
	w    *watch.Watcher

	mu      sync.Mutex
	targets []*target

	// notes are the watcher's Early calls not yet taken by Run; noted
	// says there are some.
	notesMu sync.Mutex
	notes   []watch.Early
	noted   chan struct{}
	// running counts the reloads started ahead that have not ended.
	running sync.WaitGroup
	// onAhead, if set by a test before Run, is called when a reload
	// ahead has built ("built", from its goroutine) and when one is
	// dropped ("dropped", from Run's).
	onAhead func(what string)
}

// target is one watched app: its bundle and the directories its build
// reads.
type target struct {
	app  *host.App
	dir  string // absolute bundle directory
	dirs []string
	// first is the reload New made, when the bundle had changed since
	// the app was loaded, for Run to report.
	first *Event
	// ahead is the reload started at the last change announced early,
	// for the next batch, and last the last one started, dropped or not,
	// whose compile the next one waits for (Run's goroutine only).
	ahead, last *ahead
}

// New watches the bundles of apps: each bundle directory, and for a Go
// bundle the directory of every non-standard-library package its build
// uses (the SDK's among them). It fails with a *watch.LimitError when the
// inotify limits are too low, which says what to raise.
func New(ctx context.Context, apps []*host.App, opts Options) (*Reloader, error) {
	r := &Reloader{opts: opts, noted: make(chan struct{}, 1)}
	var all []string
	for _, a := range apps {
		t, err := newTarget(ctx, a, opts.Build)
		if err != nil {
			return nil, err
		}
		r.targets = append(r.targets, t)
		all = append(all, t.dirs...)
	}
	var ignore []string
	if opts.Build.CacheDir != "" {
		ignore = append(ignore, opts.Build.CacheDir)
	}
	w, err := watch.New(uniq(all), watch.Options{Debounce: opts.Debounce, IgnoreDirs: ignore, Early: r.note})
	if err != nil {
		return nil, fmt.Errorf("watchbox dev: watching the sources: %w", err)
	}
	r.w = w
	return r, nil
}

// newTarget finds what to watch for a's bundle, from a build (a cache hit,
// since the app was just loaded from it).
func newTarget(ctx context.Context, a *host.App, opts bundle.BuildOptions) (*target, error) {
	dir, err := filepath.Abs(a.Dev().Dir())
	if err != nil {
		return nil, err
	}
	t := &target{app: a, dir: dir, dirs: []string{dir}}
	// A reload, not only a build: a file saved between the app's load and
	// the watch's start would otherwise go unseen until the next save.
	ev, info := Reload(ctx, a, opts)
	if ev.Err != nil {
		return nil, ev.Err
	}
	if !ev.Same {
		t.first = &ev
	}
	t.add(info.WatchDirs)
	return t, nil
}

// add adds dirs to what t depends on, and returns the new ones.
func (t *target) add(dirs []string) []string {
	var added []string
	for _, d := range dirs {
		if !slices.Contains(t.dirs, d) && !within(d, t.dir) {
			t.dirs = append(t.dirs, d)
			added = append(added, d)
		}
	}
	return added
}

// Run reloads the apps whose files change, until ctx is done or the
// Reloader is closed. Problems of the watcher itself (a directory that
// could not be watched) are reported as events with no App.
func (r *Reloader) Run(ctx context.Context) error {
	r.mu.Lock()
	for _, t := range r.targets {
		if t.first != nil && r.opts.Report != nil {
			t.first.Changed = []string{"(before watching began)"}
			r.opts.Report(*t.first)
		}
		t.first = nil
	}
	r.mu.Unlock()
	r.mu.Lock()
	targets := slices.Clone(r.targets)
	r.mu.Unlock()
	defer func() {
		for _, t := range targets {
			r.drop(t)
		}
		r.running.Wait()
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.noted:
			r.takeNotes(ctx, targets)
		case c, ok := <-r.w.Changes():
			if !ok {
				return nil
			}
			// The batch's own early changes first: they were announced
			// before it was cut.
			r.takeNotes(ctx, targets)
			if c.Err != nil && r.opts.Report != nil {
				r.opts.Report(Event{Err: c.Err})
			}
			for _, t := range targets {
				var changed []string
				for _, d := range t.dirs {
					changed = append(changed, c.Within(d)...)
				}
				if len(changed) == 0 {
					continue
				}
				ev := r.reload(ctx, t, changed)
				if !c.First.IsZero() {
					ev.Serving = time.Since(c.First)
				}
				if r.opts.Report != nil {
					r.opts.Report(ev)
				}
			}
			// A reload started ahead for sources that changed since can
			// only be dropped at its own batch.
			for _, t := range targets {
				if t.ahead != nil && t.ahead.gen != r.w.Gen() {
					r.drop(t)
				}
			}
		}
	}
}

// Close stops watching; Run then returns.
func (r *Reloader) Close() error { return r.w.Close() }

// reload rebuilds t's bundle and swaps it in, and watches any directory
// the new build depends on. It takes the reload started ahead, if the
// sources did not change since it started.
func (r *Reloader) reload(ctx context.Context, t *target, changed []string) Event {
	ev, info, ok := r.takeAhead(ctx, t)
	if !ok {
		ev, info = Reload(ctx, t.app, r.opts.Build)
	}
	for i, p := range changed {
		if rel, err := filepath.Rel(t.dir, p); err == nil && within(p, t.dir) {
			changed[i] = rel
		}
	}
	slices.Sort(changed)
	ev.Changed = slices.Compact(changed)
	for _, d := range t.add(info.WatchDirs) {
		if err := r.w.Add(d); err != nil && ev.Err == nil {
			ev.Err = err
		}
	}
	return ev
}

// Reload rebuilds a's bundle (a Go build, or reading its .wasm file) and
// swaps the module into the running app. It is what a Reloader does on a
// change, for a caller with its own trigger. The BuildInfo is the build's.
func Reload(ctx context.Context, a *host.App, opts bundle.BuildOptions) (Event, bundle.BuildInfo) {
	ev := Event{App: a}
	start := time.Now()
	b, err := bundle.Open(a.Dev().Dir())
	if err != nil {
		ev.Err = bundleError(a.Dev().Dir(), err)
		return ev, bundle.BuildInfo{}
	}
	wasm, info, err := b.Wasm(ctx, opts)
	ev.Build, ev.Cached, ev.Warnings = time.Since(start), info.Cached, info.Warnings
	if err != nil {
		ev.Err = bundleError(a.Dev().Dir(), err)
		return ev, info
	}
	file := info.Path
	if b.Manifest.Module != "" {
		file = filepath.Join(a.Dev().Dir(), filepath.FromSlash(b.Manifest.Module))
	}
	ev.Reload, ev.Err = a.Dev().Reload(ctx, file, wasm, host.WithManifest(b.Manifest))
	return ev, info
}

// bundleError words a bundle problem as an invalid app, as Load does.
func bundleError(dir string, err error) error {
	var me *bundle.ManifestError
	if errors.As(err, &me) {
		ie := &host.InvalidAppError{Path: dir}
		for _, p := range me.Problems {
			ie.Problems = append(ie.Problems, host.Problem{Message: p.String()})
		}
		return ie
	}
	return err
}

func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) && (rel == "." || len(rel) < 3 || rel[:3] != ".."+string(filepath.Separator))
}

func uniq(dirs []string) []string {
	slices.Sort(dirs)
	return slices.Compact(dirs)
}
