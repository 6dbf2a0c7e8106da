package guest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"

	"github.com/tetratelabs/wazero/api"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/watchbox/watchbox/host/meter"
)

// pageSize is a WebAssembly page, the unit Restore compares and copies.
const pageSize = 64 << 10

// snapshot is the state of an initialized instance: its linear memory and
// its mutable globals. Tables are not saved: Snapshot refuses a module
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

// Snapshot saves the state of the live instance (memory and mutable
// globals) for Restore. The module must have been instrumented with
// meter.Extras{Snapshots: true}: wazero shows a host only exported globals.
func (g *Guest) Snapshot() error {
	in := g.inst
	if in == nil {
		return errors.New("guest: snapshot: no instance")
	}
	if !g.snapOK {
		return fmt.Errorf("guest: snapshot of %s: the module does not export its globals (instrument it with meter.Extras{Snapshots: true})", g.cfg.ID)
	}
	if t := in.mod.ExportedGlobal(meter.TablesStaticExport); t == nil || t.Get() != 1 {
		return fmt.Errorf("guest: snapshot of %s: the module writes its tables, which a snapshot cannot restore", g.cfg.ID)
	}
	s := &snapshot{}
	for _, name := range g.snapGlobals {
		mg, ok := in.mod.ExportedGlobal(name).(api.MutableGlobal)
		if !ok {
			return fmt.Errorf("guest: snapshot of %s: global %s is not mutable", g.cfg.ID, name)
		}
		s.globals = append(s.globals, mg)
		s.values = append(s.values, mg.Get())
	}
	if mem := in.mod.Memory(); mem != nil {
		view, _ := mem.Read(0, mem.Size())
		s.mem = bytes.Clone(view)
	}
	s.push = in.push
	g.snap, g.snapOf = s, in
	g.snapOpen = maps.Clone(g.open)
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
func (g *Guest) filesAsSnapshot() bool {
	for f := range g.open {
		if !f.root && !g.snapOpen[f] {
			return false
		}
	}
	for f := range g.snapOpen {
		if !f.root && !g.open[f] {
			return false
		}
	}
	return true
}

// reopenRoots points every open root directory of the instance (see
// trackedFile.root) at the current filesystem's root, in place of the
// last run's container (unless it is the same directory), and reports
// whether it could.
func (g *Guest) reopenRoots() bool {
	for f := range g.open {
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

// Restore brings the live instance back to the state Snapshot saved of
// it: the pages of memory that differ are copied back (comparing a page
// is cheaper than copying it, and most pages are not written), and every
// mutable global is set back. It returns the number of pages copied. The
// instance's memory cannot shrink: if it grew since the snapshot, Restore
// fails with ErrNoSnapshot and the caller starts a new instance.
func (g *Guest) Restore() (pages int, err error) {
	in, s := g.inst, g.snap
	if in == nil || s == nil || g.snapOf != in {
		return 0, ErrNoSnapshot
	}
	if mem := in.mod.Memory(); mem != nil {
		if mem.Size() != uint32(len(s.mem)) {
			return 0, fmt.Errorf("guest: restore of %s: memory grew from %d to %d bytes: %w", g.cfg.ID, len(s.mem), mem.Size(), ErrNoSnapshot)
		}
		view, _ := mem.Read(0, mem.Size())
		for off := 0; off < len(view); off += pageSize {
			end := min(off+pageSize, len(view))
			if !bytes.Equal(view[off:end], s.mem[off:end]) {
				copy(view[off:end], s.mem[off:end])
				pages++
			}
		}
	}
	for i, mg := range s.globals {
		mg.Set(s.values[i])
	}
	// The restored memory knows the buffer it registered then, not one a
	// later run registered: writing there would corrupt it.
	in.push = s.push
	return pages, nil
}

// park keeps a killed instance for the next Instantiate to restore, when
// Config.Reuse is set and the instance can be (it has a snapshot and did
// not exit). It reports whether it kept it.
func (g *Guest) park(ctx context.Context) bool {
	in := g.inst
	if !g.cfg.Reuse || in == nil || g.snapOf != in || in.mod.IsClosed() {
		return false
	}
	if g.parked != nil && g.parked != in {
		g.closeInstance(ctx, g.parked)
	}
	g.parked = in
	return true
}

// unpark makes the parked instance live again in its snapshot's state, as
// a new instance would start. salt seeds its randomness as Instantiate's.
func (g *Guest) unpark(ctx context.Context, salt uint64) bool {
	in := g.parked
	if in == nil {
		return false
	}
	g.parked = nil
	g.inst = in
	if !g.filesAsSnapshot() || !g.reopenRoots() {
		// Closing the instance closes every file it holds.
		g.inst = nil
		g.closeInstance(ctx, in)
		return false
	}
	if _, err := g.Restore(); err != nil {
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
	in.rand.seed(g.randSource(salt))
	// The instance is in the state _initialize left, at the time it would
	// have left it: the clock moves on as a new instance's would.
	g.cfg.Sched.Advance(g.initTime)
	g.restores++
	return true
}

// closeInstance closes an instance that is not live.
func (g *Guest) closeInstance(ctx context.Context, in *instance) {
	if in.gauge != nil {
		in.gauge.Close()
	}
	g.rt.guests.Delete(in.mod)
	in.mod.Close(ctx)
	if g.snapOf == in {
		g.snap, g.snapOf = nil, nil
	}
}

// Restores returns how many instances were started by restoring a
// snapshot rather than instantiating the module.
func (g *Guest) Restores() int { return g.restores }

// reseedable is the instance's random source: Restore seeds it again, so
// a restored instance draws the numbers a new one would.
type reseedable struct{ r io.Reader }

func (s *reseedable) Read(p []byte) (int, error) { return s.r.Read(p) }
func (s *reseedable) seed(r io.Reader)           { s.r = r }
