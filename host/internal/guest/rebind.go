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

// OpenFile opens through the current filesystem and tracks the file
// until the guest (or the instance's closing) closes it: a restore must
// not bring back an instance that holds files its snapshot did not, since
// its memory would no longer know them while its descriptors stay taken
// (see Snapshots.filesAsSnapshot).
func (m mountFS) OpenFile(path string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	f, errno := m.fs().OpenFile(path, flag, perm)
	if errno != 0 {
		return f, errno
	}
	// wazero opens the preopened root lazily, on its first use, this way.
	t := &trackedFile{File: f, g: m.g, root: path == "." && flag == experimentalsys.O_RDONLY}
	if m.g.snaps.open == nil {
		m.g.snaps.open = map[*trackedFile]bool{}
	}
	m.g.snaps.open[t] = true
	return t, 0
}

// trackedFile is a file an instance opened through mountFS.
type trackedFile struct {
	experimentalsys.File
	g *Guest
	// root: the container's root directory, which wazero opens on the
	// first use of the preopened "/" and keeps for the instance's life.
	// A restore reopens it in the next run's container (reopenRoots).
	root bool
}

// Close forgets the file and closes it.
func (f *trackedFile) Close() experimentalsys.Errno {
	delete(f.g.snaps.open, f)
	return f.File.Close()
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
