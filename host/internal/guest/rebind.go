package guest

import (
	"io/fs"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// Rebind gives a Guest kept across runtimes (the fuzzer makes a runtime
// for every run) the new runtime's side: its log, clock, scheduler,
// profile, handler and filesystem, and the seed. What was compiled and
// what is parked stay; the guest's monotonic clock starts again at the
// new clock's time. There must be no live instance.
func (g *Guest) Rebind(cfg Config) {
	keep := g.cfg
	g.cfg = cfg
	g.cfg.Cache, g.cfg.MemoryPages, g.cfg.Coverage, g.cfg.Reuse = keep.Cache, keep.MemoryPages, keep.Coverage, keep.Reuse
	g.start = cfg.Clock.Now()
}

// mountFS is what instances mount at /: it forwards to the Guest's
// current Config.FS, so that an instance parked by one runtime and
// restored by the next (Rebind) uses the next runtime's data container.
type mountFS struct {
	experimentalsys.UnimplementedFS
	g *Guest
}

func (m mountFS) fs() experimentalsys.FS {
	if m.g.cfg.FS == nil {
		return experimentalsys.UnimplementedFS{} // ENOSYS for everything
	}
	return m.g.cfg.FS
}

func (m mountFS) OpenFile(path string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	return m.fs().OpenFile(path, flag, perm)
}
func (m mountFS) Lstat(path string) (sys.Stat_t, experimentalsys.Errno) { return m.fs().Lstat(path) }
func (m mountFS) Stat(path string) (sys.Stat_t, experimentalsys.Errno)  { return m.fs().Stat(path) }
func (m mountFS) Readlink(path string) (string, experimentalsys.Errno) {
	return m.fs().Readlink(path)
}
func (m mountFS) Mkdir(path string, perm fs.FileMode) experimentalsys.Errno {
	return m.fs().Mkdir(path, perm)
}
func (m mountFS) Chmod(path string, perm fs.FileMode) experimentalsys.Errno {
	return m.fs().Chmod(path, perm)
}
func (m mountFS) Rename(from, to string) experimentalsys.Errno { return m.fs().Rename(from, to) }
func (m mountFS) Rmdir(path string) experimentalsys.Errno      { return m.fs().Rmdir(path) }
func (m mountFS) Link(oldPath, newPath string) experimentalsys.Errno {
	return m.fs().Link(oldPath, newPath)
}
func (m mountFS) Symlink(oldPath, linkName string) experimentalsys.Errno {
	return m.fs().Symlink(oldPath, linkName)
}
func (m mountFS) Unlink(path string) experimentalsys.Errno { return m.fs().Unlink(path) }
func (m mountFS) Utimens(path string, atim, mtim int64) experimentalsys.Errno {
	return m.fs().Utimens(path, atim, mtim)
}
