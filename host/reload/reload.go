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
	// Reload is how the swap went (its Version, Hash, Compile, Wait and
	// Swap times, and whether the state was carried).
	host.Reload
	// Serving is the time from the first save of the burst (the watcher's
	// first event) to the end of the reload, the new version serving: the
	// debounce, the build, the compile, the swap and everything between.
	// Zero for a reload no save started.
	Serving time.Duration
	// Err is why the reload failed; the old version keeps running unless
	// the swap itself crashed the app (a *host.CrashError: the new version
	// is in place and starts at the next event). A build failure is a
	// *bundle.BuildError, a refused module or manifest an
	// *host.InvalidAppError (a bad watchapp.json with the checker's
	// file:line:column), a manifest key that cannot change while the app
	// runs a *host.ManifestRestartError.
	Err error
}

// Swapped reports whether the event put a new module in place.
func (e Event) Swapped() bool {
	var crash *host.CrashError
	return !e.Same && (e.Err == nil || errors.As(e.Err, &crash))
}

// Reloader watches the bundles of apps and reloads each when its sources
// change.
type Reloader struct {
	opts Options
	w    *watch.Watcher

	mu      sync.Mutex
	targets []*target
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
}

// New watches the bundles of apps: each bundle directory, and for a Go
// bundle the directory of every non-standard-library package its build
// uses (the SDK's among them). It fails with a *watch.LimitError when the
// inotify limits are too low, which says what to raise.
func New(ctx context.Context, apps []*host.App, opts Options) (*Reloader, error) {
	r := &Reloader{opts: opts}
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
	w, err := watch.New(uniq(all), watch.Options{Debounce: opts.Debounce, IgnoreDirs: ignore})
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
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case c, ok := <-r.w.Changes():
			if !ok {
				return nil
			}
			if c.Err != nil && r.opts.Report != nil {
				r.opts.Report(Event{Err: c.Err})
			}
			r.mu.Lock()
			targets := slices.Clone(r.targets)
			r.mu.Unlock()
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
		}
	}
}

// Close stops watching; Run then returns.
func (r *Reloader) Close() error { return r.w.Close() }

// reload rebuilds t's bundle and swaps it in, and watches any directory
// the new build depends on.
func (r *Reloader) reload(ctx context.Context, t *target, changed []string) Event {
	ev, info := Reload(ctx, t.app, r.opts.Build)
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
	ev.Build, ev.Cached = time.Since(start), info.Cached
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
