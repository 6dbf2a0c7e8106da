package guest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/tetratelabs/wazero/api"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/watchbox/watchbox/host/meter"
)

// pageSize is a WebAssembly page, the unit Restore compares and copies.
const pageSize = 64 << 10

// snapshot is the state of an initialized instance: its linear memory and
// its mutable globals. Tables are not saved: Take refuses a module
// whose tables an operator may write (meter.TablesStaticExport is 0), so
// they are the same in every instance.
type snapshot struct {
	mem     []byte
	globals []api.MutableGlobal // of the instance the snapshot was taken of
	values  []uint64
	push    eventBuffer // the push buffer registered when the snapshot was taken
}

// ErrNoSnapshot is Restore's error when there is no snapshot to restore,
// or the instance cannot be brought back to it (its memory grew).
var ErrNoSnapshot = errors.New("no snapshot to restore")

// Snapshots are a Guest's snapshot of its instance and, with
// Config.Reuse, the killed instance it keeps to restore instead of
// instantiating the module again: the fuzzer's reset. Get them with
// Guest.Snapshots. Like the Guest, they are not safe for concurrent use.
type Snapshots struct {
	g        *Guest
	ok       bool      // the module exports what a snapshot needs
	globals  []string  // its mutable globals' export names
	snap     *snapshot // of snapOf, an instance live or parked
	snapOf   *instance
	parked   *instance     // with Config.Reuse: the killed instance kept to restore
	initTime time.Duration // how long the last _initialize took, virtual: a restore takes as long
	restores int
	// open are the files instances opened through mountFS (Config.Reuse)
	// and still hold; snapOpen those the snapshot's instance held when
	// the snapshot was taken.
	open     map[*trackedFile]bool
	snapOpen map[*trackedFile]bool
}

// Snapshots returns the Guest's snapshots.
func (g *Guest) Snapshots() *Snapshots { return &g.snaps }

// ReadModule notes which globals of wasm, the module just swapped in, a
// snapshot saves and whether its tables stay as instantiated (see
// meter.SnapshotExports); it does nothing without Config.Reuse.
// A module loaded through Prepare (the Guest's Modules) and Swap needs it.
func (s *Snapshots) ReadModule(wasm []byte) {
	if s.g.cfg.Reuse {
		// A module that does not parse was refused by the engine already.
		s.globals, s.ok, _ = meter.SnapshotExports(wasm)
	}
}

// Take saves the state of the live instance (memory and mutable
// globals) for Restore. The module must have been instrumented with
// meter.Extras{Snapshots: true}: wazero shows a host only exported globals.
func (s *Snapshots) Take() error {
	g := s.g
	in := g.inst
	if in == nil {
		return errors.New("guest: snapshot: no instance")
	}
	if !s.ok {
		return fmt.Errorf("guest: snapshot of %s: the module does not export its globals (instrument it with meter.Extras{Snapshots: true})", g.cfg.ID)
	}
	if t := in.mod.ExportedGlobal(meter.TablesStaticExport); t == nil || t.Get() != 1 {
		return fmt.Errorf("guest: snapshot of %s: the module writes its tables, which a snapshot cannot restore", g.cfg.ID)
	}
	snap := &snapshot{}
	for _, name := range s.globals {
		mg, ok := in.mod.ExportedGlobal(name).(api.MutableGlobal)
		if !ok {
			return fmt.Errorf("guest: snapshot of %s: global %s is not mutable", g.cfg.ID, name)
		}
		snap.globals = append(snap.globals, mg)
		snap.values = append(snap.values, mg.Get())
	}
	if mem := in.mod.Memory(); mem != nil {
		view, _ := mem.Read(0, mem.Size())
		snap.mem = bytes.Clone(view)
	}
	snap.push = in.push
	s.snap, s.snapOf = snap, in
	s.snapOpen = maps.Clone(s.open)
	return nil
}

// filesAsSnapshot reports whether the live instance holds exactly the
// files it held when its snapshot was taken. A run that left a file open
// (or closed one the snapshot held) cannot be restored: the restored
// memory would not know the file while the instance's descriptor table
// still holds it, so the next run would get other descriptor numbers than
// a new instance (and a guest could leak host files run after run).
// The container's root directory, which wazero opens when the guest
// first uses "/", does not count: reopenRoots gives it the next run's.
func (s *Snapshots) filesAsSnapshot() bool {
	for f := range s.open {
		if !f.root && !s.snapOpen[f] {
			return false
		}
	}
	for f := range s.snapOpen {
		if !f.root && !s.open[f] {
			return false
		}
	}
	return true
}

// reopenRoots points every open root directory of the instance (see
// trackedFile.root) at the current filesystem's root, in place of the
// last run's container (unless it is the same directory), and reports
// whether it could.
func (s *Snapshots) reopenRoots() bool {
	g := s.g
	for f := range s.open {
		if !f.root {
			continue
		}
		if g.cfg.FS == nil {
			return false
		}
		if old, errno := f.File.Stat(); errno == 0 {
			if cur, errno := g.cfg.FS.Stat("."); errno == 0 && cur.Dev == old.Dev && cur.Ino == old.Ino {
				continue // the same directory: the fuzzer kept the container
			}
		}
		nf, errno := g.cfg.FS.OpenFile(".", experimentalsys.O_RDONLY, 0)
		if errno != 0 {
			return false
		}
		f.File.Close()
		f.File = nf
	}
	return true
}

// Restore brings the live instance back to the state Take saved of
// it: the pages of memory that differ are copied back (comparing a page
// is cheaper than copying it, and most pages are not written), and every
// mutable global is set back. It returns the number of pages copied. The
// instance's memory cannot shrink: if it grew since the snapshot, Restore
// fails with ErrNoSnapshot and the caller starts a new instance.
func (s *Snapshots) Restore() (pages int, err error) {
	in, snap := s.g.inst, s.snap
	if in == nil || snap == nil || s.snapOf != in {
		return 0, ErrNoSnapshot
	}
	if mem := in.mod.Memory(); mem != nil {
		if mem.Size() != uint32(len(snap.mem)) {
			return 0, fmt.Errorf("guest: restore of %s: memory grew from %d to %d bytes: %w", s.g.cfg.ID, len(snap.mem), mem.Size(), ErrNoSnapshot)
		}
		view, _ := mem.Read(0, mem.Size())
		for off := 0; off < len(view); off += pageSize {
			end := min(off+pageSize, len(view))
			if !bytes.Equal(view[off:end], snap.mem[off:end]) {
				copy(view[off:end], snap.mem[off:end])
				pages++
			}
		}
	}
	for i, mg := range snap.globals {
		mg.Set(snap.values[i])
	}
	// The restored memory knows the buffer it registered then, not one a
	// later run registered: writing there would corrupt it.
	in.push = snap.push
	return pages, nil
}

// park keeps a killed instance for the next Instantiate to restore, when
// Config.Reuse is set and the instance can be (it has a snapshot and did
// not exit). It reports whether it kept it.
func (s *Snapshots) park(ctx context.Context) bool {
	in := s.g.inst
	if !s.g.cfg.Reuse || in == nil || s.snapOf != in || in.mod.IsClosed() {
		return false
	}
	if s.parked != nil && s.parked != in {
		s.g.closeInstance(ctx, s.parked)
	}
	s.parked = in
	return true
}

// unpark makes the parked instance live again in its snapshot's state, as
// a new instance would start. salt seeds its randomness as Instantiate's.
func (s *Snapshots) unpark(ctx context.Context, salt uint64) bool {
	g := s.g
	in := s.parked
	if in == nil {
		return false
	}
	s.parked = nil
	g.inst = in
	if !s.filesAsSnapshot() || !s.reopenRoots() {
		// Closing the instance closes every file it holds.
		g.inst = nil
		g.closeInstance(ctx, in)
		return false
	}
	if _, err := s.Restore(); err != nil {
		g.inst = nil
		g.closeInstance(ctx, in)
		return false
	}
	in.nextID, in.pushed = 0, 0
	in.env, in.reply, in.result = in.env[:0], in.reply[:0], in.result[:0]
	in.inEvent = false
	in.out = outputBudget{}
	in.stdout.reset(g.cfg.Log)
	in.stderr.reset(g.cfg.Log)
	in.rand.seed(randSource(g.cfg, salt))
	// The instance is in the state _initialize left, at the time it would
	// have left it: the clock moves on as a new instance's would.
	g.cfg.Sched.Advance(s.initTime)
	s.restores++
	return true
}

// closeInstance closes an instance that is not live.
func (g *Guest) closeInstance(ctx context.Context, in *instance) {
	if in.gauge != nil {
		in.gauge.Close()
	}
	g.rt.guests.Delete(in.mod)
	in.mod.Close(ctx)
	if g.snaps.snapOf == in {
		g.snaps.snap, g.snaps.snapOf = nil, nil
	}
}

// Restores returns how many instances were started by restoring a
// snapshot rather than instantiating the module.
func (s *Snapshots) Restores() int { return s.restores }

// reseedable is the instance's random source: a restore seeds it again, so
// a restored instance draws the numbers a new one would.
type reseedable struct{ r io.Reader }

func (s *reseedable) Read(p []byte) (int, error) { return s.r.Read(p) }
func (s *reseedable) seed(r io.Reader)           { s.r = r }
