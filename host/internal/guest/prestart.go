package guest

import (
	"context"
	"errors"
	"io/fs"
	"sync/atomic"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/clock"
)

// Started is an instance of a prepared module whose _initialize ran away
// from the Guest's call path (Start), waiting to be made the live instance
// (Adopt) or closed (Close).
//
// A hot reload starts the new version this way before it takes the app's
// lock, so that the app's calls are held only for save_state,
// restore_state and the life-cycle calls, not for the new Go runtime's
// start. _initialize must then touch nothing of the app: a request to the
// host or a use of the data container while it runs marks the instance
// Touched, and its owner starts a fresh one on the call path instead (the
// request was refused and the file operation failed, so that instance saw
// a world the real start would not).
type Started struct {
	g    *Guest // the stand-in Guest the instance started on
	cm   *Module
	salt uint64
	inst *instance
	fs   *startFS
	// Init is how long _initialize took: virtual time under the virtual
	// clock, added to the runtime's clock when the instance is adopted.
	Init    time.Duration
	touched atomic.Bool
}

// ErrNoStart is returned by Start for a Guest that snapshots and restores
// its instances (Config.Reuse, the fuzzer): its instances start on the
// call path.
var ErrNoStart = errors.New("guest: instances of a Guest with Config.Reuse start on its call path only")

// Start instantiates cm (from Prepare) and runs its _initialize under
// budget, salted with salt as Instantiate would be, without touching the
// Guest: the instance starts on a stand-in Guest that shares the Guest's
// runtime and configuration but has its own call clock and watchdog,
// moves no virtual clock, refuses every request, and logs with the field
// "prestart": true. So it may
// run while the Guest's owner serves calls on another goroutine. A guest
// failure is a *Crash, and leaves nothing to close.
func (g *Guest) Start(ctx context.Context, cm *Module, salt uint64, budget time.Duration) (*Started, error) {
	if g.cfg.Reuse {
		return nil, ErrNoStart
	}
	st := &Started{cm: cm, salt: salt}
	s := &Guest{cfg: g.cfg, rt: g.rt, compiled: cm, start: g.start}
	// Its output is marked: it may come from an instance that never
	// serves (Touched), and it comes before the swap.
	s.cfg.Log = g.cfg.Log.With().Bool("prestart", true).Logger()
	s.cfg.Handler = startHandler{st}
	s.cfg.Sched = &clock.Scheduler{} // advances nothing: Adopt adds _initialize's time
	if s.cfg.FS != nil {
		st.fs = &startFS{fs: s.cfg.FS, st: st}
		s.cfg.FS = st.fs
	}
	s.cfg.OnRefuse = nil
	s.fuelUsedFn = s.fuelUsed
	s.wd.timer = time.AfterFunc(time.Hour, s.wd.fire)
	s.wd.timer.Stop()
	defer s.wd.timer.Stop()
	_, s.hasInit = cm.ExportedFunctions()[abi.ExportInitialize]
	if err := s.Instantiate(ctx, salt, budget); err != nil {
		return nil, err
	}
	st.g, st.inst, st.Init = s, s.inst, s.snaps.initTime
	return st, nil
}

// Touched reports whether the instance asked the host for something or
// used the data container while it started: it cannot be adopted then.
func (st *Started) Touched() bool { return st.touched.Load() }

// Salt is the salt the instance was started with.
func (st *Started) Salt() uint64 { return st.salt }

// Module is the module the instance was started from.
func (st *Started) Module() *Module { return st.cm }

// Close drops the instance, if it was not adopted. The module stays
// open: it is the caller's.
func (st *Started) Close(ctx context.Context) {
	if st == nil || st.inst == nil {
		return
	}
	st.g.closeInstance(ctx, st.inst)
	st.g.inst, st.inst = nil, nil
}

// Adopt makes st's module the one every instance is made from, as Swap
// does (the live instance, if any, is dropped without any call into it,
// and the previous module is closed), and st's instance the live one, as
// if Instantiate had started it now: its WASI clock, output charge and
// host functions are the Guest's from now on, and the runtime's clock
// moves on by its _initialize's time. st must come from this Guest's
// Start and not be Touched.
func (g *Guest) Adopt(ctx context.Context, st *Started) {
	g.Swap(ctx, st.cm)
	in := st.inst
	st.inst, st.g.inst = nil, nil
	in.owner = g
	in.stdout.log, in.stderr.log = g.cfg.Log, g.cfg.Log
	g.inst = in
	g.rt.guests.Store(in.mod, g)
	g.snaps.initTime = st.Init
	g.cfg.Sched.Advance(st.Init)
	if st.fs != nil {
		st.fs.adopted.Store(true)
	}
}

// startHandler refuses every request of an instance starting away from
// the call path, and marks it touched.
type startHandler struct{ st *Started }

func (h startHandler) Request(op abi.Op, _ []byte) ([]byte, abi.Status, string) {
	h.st.touched.Store(true)
	return nil, abi.StatusUnsupported, op.String() + ": not available while the new version starts outside the app's call path; it is started again on it"
}

// startFS is the data container as an instance started away from the call
// path sees it: until the instance is adopted, any use of it but opening
// its root directory (which wazero does when the guest first asks about
// its preopened directory) marks the instance touched and fails with
// EAGAIN (the real start, on the call path, will do it again); once
// adopted it is the container itself.
type startFS struct {
	experimentalsys.UnimplementedFS
	fs      experimentalsys.FS
	st      *Started
	adopted atomic.Bool
}

// use reports whether the container may be used now, and marks the
// instance touched if not.
func (f *startFS) use() bool {
	if f.adopted.Load() {
		return true
	}
	f.st.touched.Store(true)
	return false
}

func (f *startFS) OpenFile(path string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	// wazero opens the preopened root this way the first time the guest
	// asks about it, as the Go runtime does while it starts: that reads
	// nothing of the app's.
	if path == "." && flag == experimentalsys.O_RDONLY && !f.adopted.Load() {
		return f.fs.OpenFile(path, flag, perm)
	}
	if !f.use() {
		return nil, experimentalsys.EAGAIN
	}
	return f.fs.OpenFile(path, flag, perm)
}

func (f *startFS) Lstat(path string) (sys.Stat_t, experimentalsys.Errno) {
	if !f.use() {
		return sys.Stat_t{}, experimentalsys.EAGAIN
	}
	return f.fs.Lstat(path)
}

func (f *startFS) Stat(path string) (sys.Stat_t, experimentalsys.Errno) {
	if !f.use() {
		return sys.Stat_t{}, experimentalsys.EAGAIN
	}
	return f.fs.Stat(path)
}

func (f *startFS) Readlink(path string) (string, experimentalsys.Errno) {
	if !f.use() {
		return "", experimentalsys.EAGAIN
	}
	return f.fs.Readlink(path)
}

func (f *startFS) Mkdir(path string, perm fs.FileMode) experimentalsys.Errno {
	if !f.use() {
		return experimentalsys.EAGAIN
	}
	return f.fs.Mkdir(path, perm)
}

func (f *startFS) Chmod(path string, perm fs.FileMode) experimentalsys.Errno {
	if !f.use() {
		return experimentalsys.EAGAIN
	}
	return f.fs.Chmod(path, perm)
}

func (f *startFS) Rename(from, to string) experimentalsys.Errno {
	if !f.use() {
		return experimentalsys.EAGAIN
	}
	return f.fs.Rename(from, to)
}

func (f *startFS) Rmdir(path string) experimentalsys.Errno {
	if !f.use() {
		return experimentalsys.EAGAIN
	}
	return f.fs.Rmdir(path)
}

func (f *startFS) Link(oldPath, newPath string) experimentalsys.Errno {
	if !f.use() {
		return experimentalsys.EAGAIN
	}
	return f.fs.Link(oldPath, newPath)
}

func (f *startFS) Symlink(oldPath, linkName string) experimentalsys.Errno {
	if !f.use() {
		return experimentalsys.EAGAIN
	}
	return f.fs.Symlink(oldPath, linkName)
}

func (f *startFS) Unlink(path string) experimentalsys.Errno {
	if !f.use() {
		return experimentalsys.EAGAIN
	}
	return f.fs.Unlink(path)
}

func (f *startFS) Utimens(path string, atim, mtim int64) experimentalsys.Errno {
	if !f.use() {
		return experimentalsys.EAGAIN
	}
	return f.fs.Utimens(path, atim, mtim)
}
