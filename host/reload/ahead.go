package reload

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"

	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/reload/watch"
)

// ahead is a reload of one target started at a content change the
// watcher announced early (watch.Early), before the quiet period that
// cuts the batch ended: the bundle's build (or .wasm read) and
// host.Dev.Prepare (check, meter, compile, start the instance), all while
// the old version serves. It is taken at the batch only if the watcher's
// generation is still gen, so that the module is of the sources as they
// are when the batch is cut; otherwise it is dropped: its context is
// cancelled (a go build is stopped, see bundle.StoppedError) and what
// it prepared is closed when it ends.
type ahead struct {
	gen    uint64
	cancel context.CancelFunc
	built  chan struct{} // closed when the build has ended
	done   chan struct{} // closed when all of it has ended

	// Set before built is closed.
	b     *bundle.Bundle
	info  bundle.BuildInfo
	build time.Duration
	err   error // the bundle's or the build's
	// Set before done is closed.
	pending *host.Pending
	perr    error

	mu       sync.Mutex
	dropped  bool
	finished bool
}

// note is the watcher's Early callback: it queues e for Run, without
// blocking the watcher.
func (r *Reloader) note(e watch.Early) {
	r.notesMu.Lock()
	r.notes = append(r.notes, e)
	r.notesMu.Unlock()
	select {
	case r.noted <- struct{}{}:
	default:
	}
}

// takeNotes acts on the early changes queued, in order: a change to a
// target's files restarts its reload ahead at the change's generation,
// and a quiet end of a batch drops every reload ahead. Only the last
// change of each target starts one.
func (r *Reloader) takeNotes(ctx context.Context, targets []*target) {
	r.notesMu.Lock()
	notes := r.notes
	r.notes = nil
	r.notesMu.Unlock()
	if len(notes) == 0 {
		return
	}
	last := map[*target]uint64{}
	for _, e := range notes {
		if e.Quiet {
			clear(last)
			for _, t := range targets {
				r.drop(t)
			}
			continue
		}
		for _, t := range targets {
			for _, d := range t.dirs {
				if within(e.Path, d) {
					last[t] = e.Gen
					break
				}
			}
		}
	}
	for _, t := range targets {
		if gen, ok := last[t]; ok {
			r.start(ctx, t, gen)
		}
	}
}

// start drops t's reload ahead, if any, and starts another for the
// sources at generation gen.
func (r *Reloader) start(ctx context.Context, t *target, gen uint64) {
	prev := t.last
	r.drop(t)
	actx, cancel := context.WithCancel(ctx)
	s := &ahead{gen: gen, cancel: cancel, built: make(chan struct{}), done: make(chan struct{})}
	t.ahead, t.last = s, s
	r.running.Add(1)
	go func() {
		defer r.running.Done()
		defer close(s.done)
		defer s.mark(&s.finished)
		dir := t.app.Dev().Dir()
		begin := time.Now()
		b, err := bundle.Open(dir)
		var wasm []byte
		if err == nil {
			s.b = b
			wasm, s.info, err = b.Wasm(actx, r.opts.Build)
		}
		s.build, s.err = time.Since(begin), err
		if r.onAhead != nil {
			r.onAhead("built")
		}
		close(s.built)
		if err != nil || actx.Err() != nil {
			return
		}
		// One compile at a time: the dropped reload's compile cannot be
		// stopped, and two would share the CPU, slowing this one.
		if prev != nil {
			select {
			case <-prev.done:
			case <-actx.Done():
				return
			}
		}
		file := s.info.Path
		if b.Manifest.Module != "" {
			file = filepath.Join(dir, filepath.FromSlash(b.Manifest.Module))
		}
		s.pending, s.perr = t.app.Dev().Prepare(actx, file, wasm, host.WithManifest(b.Manifest))
	}()
}

// drop cancels t's reload ahead, if any; what it prepared is closed when
// it ends.
func (r *Reloader) drop(t *target) {
	s := t.ahead
	if s == nil {
		return
	}
	t.ahead = nil
	s.cancel()
	if r.onAhead != nil {
		r.onAhead("dropped")
	}
	s.mark(&s.dropped)
}

// mark sets one of s's two end flags (finished, dropped) under its lock,
// and closes what s prepared once both are set: whichever of the
// reload's end and its drop comes second closes it.
func (s *ahead) mark(flag *bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*flag = true
	if s.finished && s.dropped {
		s.pending.Close(context.Background())
		s.pending = nil
	}
}

// takeAhead finishes t's reload ahead, for the batch just cut: it waits
// for its build, and keeps it only when no relevant content changed
// since it started (the watcher's generation is the same) and, for a Go
// build, the build found its sources unchanged at its end (it then
// cached the module; see bundle.BuildInfo.Path). The build so reflects
// the sources as they are now, and its errors are theirs. It then waits
// for the prepared version and swaps it in. ok is false, and the reload
// ahead dropped, when there was none or it was not current.
func (r *Reloader) takeAhead(ctx context.Context, t *target) (ev Event, info bundle.BuildInfo, ok bool) {
	s := t.ahead
	if s == nil {
		return ev, info, false
	}
	select {
	case <-s.built:
	case <-ctx.Done():
		r.drop(t)
		return ev, info, false
	}
	var stopped *bundle.StoppedError
	if s.gen != r.w.Gen() || errors.As(s.err, &stopped) || (s.err == nil && !s.info.Prebuilt && s.info.Path == "") {
		r.drop(t)
		return ev, info, false
	}
	t.ahead = nil
	defer s.cancel()
	ev = Event{App: t.app, Ahead: true, Build: s.build, Cached: s.info.Cached, Warnings: s.info.Warnings}
	if s.err != nil {
		ev.Err = bundleError(t.app.Dev().Dir(), s.err)
		<-s.done
		return ev, s.info, true
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		t.ahead = s
		r.drop(t)
		return Event{}, info, false
	}
	if s.perr != nil {
		ev.Reload, ev.Err = s.pending.Reload(), s.perr
		return ev, s.info, true
	}
	ev.Reload, ev.Err = s.pending.Swap(ctx)
	return ev, s.info, true
}
