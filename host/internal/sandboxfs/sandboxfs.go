// Package sandboxfs implements a wazero experimental/sys.FS that confines a
// WebAssembly guest to one app's data container directory and enforces a
// data quota on it.
//
// # Confinement
//
// Every path operation goes through an [os.Root] opened on the container, so
// absolute paths, ".." components and symbolic links (pre-existing or created
// by the guest, chained, or pointing at directories) can never resolve to a
// location outside the container; such attempts fail with EPERM (escape) or
// ELOOP (too many links). On top of that:
//
//   - Guest-created symbolic links must be relative and must not contain ".."
//     components ("downward-only"), so even host tools that naively follow
//     links inside the container cannot be led outside by a guest-made link.
//   - Hard links cannot be created (EPERM), and regular files with more than
//     one link (which can only have been planted from outside, possibly
//     sharing an inode with a file outside the container) cannot be opened.
//   - Only regular files and directories can be opened; FIFOs, sockets and
//     device nodes planted in the container are refused with EPERM.
//
// # Quota
//
// With a non-zero quota, the sum of the apparent sizes (st_size) of all
// regular files in the container, plus [Limits.EntryBytes] for each entry
// (file, directory or symbolic link), may not grow beyond the quota. Writes,
// positional writes and truncations that would grow the total beyond it are
// refused as a whole (nothing is written) with [ErrnoQuotaExceeded], and so
// is creating an entry. Entries may be at most [Limits.MaxDepth] levels
// below the container (ENAMETOOLONG). See [FS.Usage] and
// [ErrnoQuotaExceeded] for details and limits.
//
// The usage is measured once, when a container is first opened, and then
// kept up to date by every operation; with [Limits.UsageFile] it is saved
// when the FS closes, so that opening the container again reads it instead
// of walking the tree.
//
// Mount it as the guest's only preopen:
//
//	fsys, err := sandboxfs.New(dir, quota)
//	...
//	cfg := wazero.NewFSConfig().(sysfs.FSConfig).WithSysFSMount(fsys, "/")
package sandboxfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"

	"github.com/watchbox/watchbox/host/input"
)

// ErrnoQuotaExceeded is the errno returned to the guest when an operation
// would make the container's data exceed its quota.
//
// It should be ENOSPC, but wazero v1.12.0's experimental/sys.Errno has no
// ENOSPC and its WASI layer maps every unknown errno to EIO, so a guest would
// see EIO ("input/output error") either way. This constant makes that
// explicit; switch it to ENOSPC once wazero supports it. The host can tell
// quota refusals apart from real I/O errors with [FS.QuotaDenials].
const ErrnoQuotaExceeded = experimentalsys.EIO

// FS is an experimental/sys.FS confined to one directory, with a data quota.
// Create it with [New]. It is safe for concurrent use.
type FS struct {
	experimentalsys.UnimplementedFS

	root   *os.Root
	dir    string
	quota  int64 // bytes; 0 means unlimited; mu guards it after Open
	limits Limits
	// realDir is dir with symbolic links resolved, to measure depths:
	// resolved on the first depth check (an Lstat per path element,
	// which an FS that never creates anything below its top need not pay).
	realDir     string
	realDirOnce sync.Once

	usage   atomic.Int64  // bytes of regular files, see Usage
	entries atomic.Int64  // files, directories and links, see Entries
	denials atomic.Uint64 // quota refusals, see QuotaDenials
	scanned bool          // Open walked the tree (no saved usage)

	// mu serializes every operation that changes file sizes or directory
	// entries, so that the quota check and the usage update are atomic.
	mu sync.Mutex
	// open counts open regular-file handles per inode. A file unlinked while
	// open keeps using disk space, so its size stays counted until its last
	// handle is closed.
	open map[inodeKey]int
}

type inodeKey struct{ dev, ino uint64 }

var _ experimentalsys.FS = (*FS)(nil)

// Limits are what a container may hold.
type Limits struct {
	// Quota is the most bytes the container may account for (see
	// FS.Usage); 0 means unlimited.
	Quota int64
	// EntryBytes is what each file, directory and symbolic link costs
	// against the quota, like a file system block, so that empty files
	// and directories are not free. 0: entries cost nothing.
	EntryBytes int64
	// MaxDepth is how many levels below the container an entry may be
	// ("a" is at depth 1, "a/b" at 2); 0 means no bound.
	MaxDepth int
	// UsageFile, if set, is a file outside the container where Close
	// saves the usage, for the next Open to read instead of walking the
	// tree. Open removes it, so that a host that dies with the container
	// open leaves no stale record.
	UsageFile string
}

// New returns an FS confined to dir with a quota of bytes of regular files
// and no other limit: Open(dir, Limits{Quota: quota}).
func New(dir string, quota int64) (*FS, error) {
	return Open(dir, Limits{Quota: quota})
}

// Open returns an FS confined to dir, creating dir (mode 0700) if missing,
// with limits l. The current usage is read from l.UsageFile if it holds a
// record of this directory, else computed by walking dir once without
// following symbolic links; if it already exceeds the quota, the data stays
// readable and may shrink, but cannot grow.
func Open(dir string, l Limits) (*FS, error) {
	quota := l.Quota
	if quota < 0 || l.EntryBytes < 0 || l.MaxDepth < 0 {
		return nil, fmt.Errorf("sandboxfs: negative limit %+v for %q", l, dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sandboxfs: creating container: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("sandboxfs: opening container: %w", err)
	}
	f := &FS{root: root, dir: dir, quota: quota, limits: l, open: map[inodeKey]int{}}
	used, entries, ok := readUsage(l.UsageFile, root)
	if !ok {
		if used, entries, err = scanUsage(root); err != nil {
			_ = root.Close()
			return nil, fmt.Errorf("sandboxfs: measuring usage of %q: %w", dir, err)
		}
		f.scanned = true
	}
	f.usage.Store(used)
	f.entries.Store(entries)
	return f, nil
}

// scanUsage sums the sizes of the regular files under root, counting each
// inode once, and counts the entries, never following symbolic links. It
// walks by directory descriptors (each directory opened from its parent),
// so that a deep tree costs one open per directory rather than one per
// level of every directory's path.
func scanUsage(root *os.Root) (total, entries int64, err error) {
	seen := map[inodeKey]bool{}
	var walk func(r *os.Root) error
	walk = func(r *os.Root) error {
		d, err := r.Open(".")
		if err != nil {
			return err
		}
		defer d.Close()
		for {
			names, rerr := d.Readdirnames(256)
			for _, name := range names {
				info, err := r.Lstat(name)
				if errors.Is(err, fs.ErrNotExist) {
					continue // removed while scanning
				} else if err != nil {
					return err
				}
				entries++
				switch {
				case info.IsDir():
					sub, err := r.OpenRoot(name)
					if errors.Is(err, fs.ErrNotExist) {
						continue
					} else if err != nil {
						return err
					}
					err = walk(sub)
					sub.Close()
					if err != nil {
						return err
					}
				case info.Mode().IsRegular():
					st := sys.NewStat_t(info)
					if st.Nlink > 1 {
						k := inodeKey{st.Dev, st.Ino}
						if seen[k] {
							continue
						}
						seen[k] = true
					}
					total += st.Size
				}
			}
			if rerr == io.EOF || (rerr == nil && len(names) == 0) {
				return nil
			} else if rerr != nil {
				return rerr
			}
		}
	}
	err = walk(root)
	return total, entries, err
}

// usageRecord is the first line of a usage file: the container's device,
// inode and modification time (so that a record of another directory, or
// of one changed at its top level since, is not used), its bytes and its
// entries.
const usageRecord = "watchbox-usage v1 %d %d %d %d %d\n"

// usageFile caps a usage file: usageRecord with five 20-digit numbers is
// under 200 bytes.
var usageFile = input.Kind{Name: "usage record", Max: 200}

// readUsage reads and removes the usage file, if any, and returns its
// numbers if it describes root as it is.
func readUsage(file string, root *os.Root) (used, entries int64, ok bool) {
	if file == "" {
		return 0, 0, false
	}
	// input.Read: a record is one short line, and what is not (a FIFO,
	// a file grown huge) is neither waited on nor read whole.
	b, err := input.Read(file, usageFile)
	os.Remove(file)
	if err != nil {
		return 0, 0, false
	}
	info, err := root.Stat(".")
	if err != nil {
		return 0, 0, false
	}
	st := sys.NewStat_t(info)
	var dev, ino uint64
	var mtim int64
	if n, err := fmt.Sscanf(string(b), usageRecord, &dev, &ino, &mtim, &used, &entries); err != nil || n != 5 {
		return 0, 0, false
	}
	if dev != st.Dev || ino != st.Ino || mtim != st.Mtim || used < 0 || entries < 0 {
		return 0, 0, false
	}
	return used, entries, true
}

// writeUsage writes the usage file of root, with its bytes used and its
// entries, for the next Open's readUsage; no file, no write.
func writeUsage(file string, root *os.Root, used, entries int64) error {
	if file == "" {
		return nil
	}
	info, err := root.Stat(".")
	if err != nil {
		return err
	}
	st := sys.NewStat_t(info)
	tmp := file + ".tmp"
	rec := fmt.Sprintf(usageRecord, st.Dev, st.Ino, st.Mtim, used, entries)
	if err := os.WriteFile(tmp, []byte(rec), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// Scanned reports whether Open walked the container's tree to measure
// its usage, rather than reading the usage file.
func (f *FS) Scanned() bool { return f.scanned }

// String returns the host directory of the container, for logs.
func (f *FS) String() string { return f.dir }

// Usage returns the number of bytes currently accounted to the container:
// the apparent sizes (st_size) of its regular files, including files that
// were unlinked but are still open by the guest, plus [Limits.EntryBytes]
// for each entry. Sparse holes are counted as if they were data.
//
// It is maintained incrementally from the measure taken by [Open]; changes
// made to the container by other processes while the FS is in use (or,
// below its top level, while it is closed with a usage file) are not seen.
func (f *FS) Usage() int64 { return f.usage.Load() + f.entries.Load()*f.limits.EntryBytes }

// Entries returns the number of files, directories and symbolic links in
// the container.
func (f *FS) Entries() int64 { return f.entries.Load() }

// Quota returns the quota in force (given to [Open], or by SetQuota); 0
// means unlimited.
func (f *FS) Quota() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.quota
}

// SetQuota changes the quota from now on, as a reloaded manifest's
// dataQuota does; 0 means unlimited. Data already over a lowered quota
// stays readable and may shrink, but cannot grow.
func (f *FS) SetQuota(quota int64) error {
	if quota < 0 {
		return fmt.Errorf("sandboxfs: negative quota %d for %q", quota, f.dir)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.quota = quota
	return nil
}

// QuotaDenials returns how many operations were refused because of the
// quota since [New].
func (f *FS) QuotaDenials() uint64 { return f.denials.Load() }

// Close releases the container directory. Files already opened by the guest
// stay usable; path operations fail with EBADF afterwards.
func (f *FS) Close() error {
	f.mu.Lock()
	serr := writeUsage(f.limits.UsageFile, f.root, f.usage.Load(), f.entries.Load())
	f.mu.Unlock()
	if serr != nil {
		_ = f.root.Close()
		return fmt.Errorf("sandboxfs: saving the usage of %q: %w", f.dir, serr)
	}
	if err := f.root.Close(); err != nil {
		return fmt.Errorf("sandboxfs: closing %q: %w", f.dir, err)
	}
	return nil
}

// reserveLocked checks whether a regular file currently of size cur may grow
// to newSize. It must be called with mu held.
func (f *FS) reserveLocked(cur, newSize int64) experimentalsys.Errno {
	growth := newSize - cur
	if f.quota == 0 || growth <= 0 {
		return 0
	}
	if used := f.Usage(); growth > f.quota || used > f.quota-growth {
		f.denials.Add(1)
		return ErrnoQuotaExceeded
	}
	return 0
}

// createLocked checks that a new entry may be made at name: its cost
// (EntryBytes, and at least the last byte of the quota) fits the quota, so
// a guest cannot make entries without bound, and its depth is within
// MaxDepth. The caller counts the entry once it is made. It must be called
// with mu held.
func (f *FS) createLocked(name string) experimentalsys.Errno {
	if f.quota != 0 {
		if used := f.Usage(); used >= f.quota || f.limits.EntryBytes > f.quota-used {
			f.denials.Add(1)
			return ErrnoQuotaExceeded
		}
	}
	if f.limits.MaxDepth > 0 && f.depth(path.Dir(path.Clean(name)))+1 > f.limits.MaxDepth {
		return experimentalsys.ENAMETOOLONG
	}
	return 0
}

// depth returns how many levels below the container the directory dir is,
// following symbolic links (a link to a deep directory does not make a
// short path to it), or a number over any bound if it cannot tell.
func (f *FS) depth(dir string) int {
	if dir == "." {
		return 0
	}
	d, err := f.root.Open(dir)
	if err != nil {
		return strings.Count(dir, "/") + 1 // the open that follows fails too
	}
	defer d.Close()
	if real, ok := fdPath(d); ok {
		f.realDirOnce.Do(func() {
			var err error
			if f.realDir, err = filepath.EvalSymlinks(f.dir); err != nil {
				f.realDir = f.dir
			}
		})
		r, err := filepath.Rel(f.realDir, real)
		if err != nil || r == "." {
			return 0
		}
		return strings.Count(filepath.ToSlash(r), "/") + 1
	}
	return strings.Count(dir, "/") + 1
}

// releaseLocked stops accounting a regular file whose last link was removed
// (or replaced by a rename), unless the guest still has it open: then its
// size is released when its last handle closes. It must be called with mu
// held and st must describe the file before the removal.
func (f *FS) releaseLocked(st sys.Stat_t) {
	if !st.Mode.IsRegular() || st.Nlink > 1 {
		return
	}
	if f.open[inodeKey{st.Dev, st.Ino}] > 0 {
		return
	}
	f.sub(st.Size)
}

// sub decreases the usage, never below zero.
func (f *FS) sub(n int64) {
	for {
		old := f.usage.Load()
		if f.usage.CompareAndSwap(old, max(old-n, 0)) {
			return
		}
	}
}

// rel converts a path received from wazero into a name relative to the
// container root. wazero passes paths relative to the mount point, but
// directory handles opened as "." produce names like "/x", so leading
// slashes are stripped (they mean the container root, never the host root).
// Anything else, including "..", is left for os.Root to judge.
func rel(p string) (string, experimentalsys.Errno) {
	if strings.IndexByte(p, 0) >= 0 {
		return "", experimentalsys.EINVAL
	}
	p = strings.TrimLeft(p, "/")
	if p == "" {
		p = "."
	}
	return p, 0
}

// toErrno converts errors from os and os.Root into an Errno.
func toErrno(err error) experimentalsys.Errno {
	if err == nil {
		return 0
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return experimentalsys.UnwrapOSError(errno)
	}
	inner := err
	for u := errors.Unwrap(inner); u != nil; u = errors.Unwrap(inner) {
		inner = u
	}
	switch inner.Error() {
	case "path escapes from parent": // os.Root: "..", absolute or escaping symlink
		return experimentalsys.EPERM
	case "unsupported file mode":
		return experimentalsys.EINVAL
	}
	return experimentalsys.UnwrapOSError(err)
}

func statOf(info fs.FileInfo, err error) (sys.Stat_t, experimentalsys.Errno) {
	if err != nil {
		return sys.Stat_t{}, toErrno(err)
	}
	return sys.NewStat_t(info), 0
}

// OpenFile implements experimental/sys.FS.OpenFile.
func (f *FS) OpenFile(p string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	name, errno := rel(p)
	if errno != 0 {
		return nil, errno
	}
	access := flag & (experimentalsys.O_RDONLY | experimentalsys.O_RDWR | experimentalsys.O_WRONLY)
	writable := access != experimentalsys.O_RDONLY

	f.mu.Lock()
	defer f.mu.Unlock()

	// Look before opening: refuse special files before open(2) could block
	// on a FIFO or reach a device, honor O_NOFOLLOW (os.Root would follow a
	// final symlink that stays inside), and learn whether O_CREAT creates.
	var info fs.FileInfo
	var err error
	created := false
	if flag&experimentalsys.O_NOFOLLOW != 0 {
		info, err = f.root.Lstat(name)
	} else {
		info, err = f.root.Stat(name)
	}
	switch {
	case err == nil:
		if info.Mode()&fs.ModeSymlink != 0 {
			return nil, experimentalsys.ELOOP
		}
		if errno := checkOpenable(info.Mode()); errno != 0 {
			return nil, errno
		}
	case errors.Is(err, fs.ErrNotExist) && flag&experimentalsys.O_CREAT != 0:
		if errno := f.createLocked(name); errno != 0 {
			return nil, errno
		}
		created = true
	default:
		return nil, toErrno(err)
	}

	osFlag := os.O_RDONLY
	switch access {
	case experimentalsys.O_RDWR:
		osFlag = os.O_RDWR
	case experimentalsys.O_WRONLY:
		osFlag = os.O_WRONLY
	}
	if flag&experimentalsys.O_CREAT != 0 {
		osFlag |= os.O_CREATE
	}
	if flag&experimentalsys.O_EXCL != 0 {
		osFlag |= os.O_EXCL
	}
	if flag&(experimentalsys.O_SYNC|experimentalsys.O_DSYNC|experimentalsys.O_RSYNC) != 0 {
		osFlag |= os.O_SYNC
	}
	// O_APPEND is emulated (see file.Write) and O_TRUNC is applied after
	// opening, so the truncated size can be accounted for.
	osf, err := f.root.OpenFile(name, osFlag, perm&0o777)
	if err != nil {
		return nil, toErrno(err)
	}
	if created {
		f.entries.Add(1)
	}
	fi, err := osf.Stat()
	if err != nil {
		_ = osf.Close()
		return nil, toErrno(err)
	}
	st := sys.NewStat_t(fi)
	isDir := st.Mode.IsDir()
	if errno := checkOpenable(st.Mode); errno != 0 {
		_ = osf.Close()
		return nil, errno
	}
	if !isDir && st.Nlink > 1 {
		_ = osf.Close()
		return nil, experimentalsys.EPERM // possibly shares its inode with a file outside
	}
	if flag&experimentalsys.O_DIRECTORY != 0 && !isDir {
		_ = osf.Close()
		return nil, experimentalsys.ENOTDIR
	}
	if flag&experimentalsys.O_TRUNC != 0 && writable && !isDir && st.Size > 0 {
		if err := osf.Truncate(0); err != nil {
			_ = osf.Close()
			return nil, toErrno(err)
		}
		f.sub(st.Size)
	}
	file := newFile(&file{
		fs:       f,
		f:        osf,
		dev:      st.Dev,
		ino:      st.Ino,
		isDir:    isDir,
		writable: writable,
		append:   flag&experimentalsys.O_APPEND != 0,
	})
	if !isDir {
		f.open[inodeKey{st.Dev, st.Ino}]++
	}
	return file, 0
}

// checkOpenable allows only regular files and directories.
func checkOpenable(mode fs.FileMode) experimentalsys.Errno {
	if mode.IsRegular() || mode.IsDir() {
		return 0
	}
	return experimentalsys.EPERM
}

// Lstat implements experimental/sys.FS.Lstat.
func (f *FS) Lstat(p string) (sys.Stat_t, experimentalsys.Errno) {
	name, errno := rel(p)
	if errno != 0 {
		return sys.Stat_t{}, errno
	}
	return statOf(f.root.Lstat(name))
}

// Stat implements experimental/sys.FS.Stat.
func (f *FS) Stat(p string) (sys.Stat_t, experimentalsys.Errno) {
	name, errno := rel(p)
	if errno != 0 {
		return sys.Stat_t{}, errno
	}
	return statOf(f.root.Stat(name))
}

// Mkdir implements experimental/sys.FS.Mkdir.
func (f *FS) Mkdir(p string, perm fs.FileMode) experimentalsys.Errno {
	name, errno := rel(p)
	if errno != 0 {
		return errno
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if errno := f.createLocked(name); errno != 0 {
		return errno
	}
	errno = toErrno(f.root.Mkdir(name, perm&0o777|0o700))
	if errno == experimentalsys.ENOTDIR { // like wazero's DirFS
		errno = experimentalsys.ENOENT
	}
	if errno == 0 {
		f.entries.Add(1)
	}
	return errno
}

// Chmod implements experimental/sys.FS.Chmod. Only permission bits are
// applied, and the owner always keeps read and write access (and search
// access to directories) so that the host can manage the container.
func (f *FS) Chmod(p string, perm fs.FileMode) experimentalsys.Errno {
	name, errno := rel(p)
	if errno != 0 {
		return errno
	}
	info, err := f.root.Stat(name)
	if err != nil {
		return toErrno(err)
	}
	perm = perm&0o777 | 0o600
	if info.IsDir() {
		perm |= 0o700
	}
	return toErrno(f.root.Chmod(name, perm))
}

// Rename implements experimental/sys.FS.Rename. Both paths are inside the
// container; a regular file replaced by the rename stops being counted.
func (f *FS) Rename(from, to string) experimentalsys.Errno {
	oldName, errno := rel(from)
	if errno != 0 {
		return errno
	}
	newName, errno := rel(to)
	if errno != 0 {
		return errno
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	src, err := f.root.Lstat(oldName)
	if err != nil {
		return toErrno(err)
	}
	if f.limits.MaxDepth > 0 {
		// Moving a directory deeper would move its whole subtree deeper,
		// past MaxDepth perhaps; moving anything to the same depth or up
		// cannot.
		to := f.depth(path.Dir(path.Clean(newName)))
		if to+1 > f.limits.MaxDepth || (src.IsDir() && to > f.depth(path.Dir(path.Clean(oldName)))) {
			return experimentalsys.ENAMETOOLONG
		}
	}
	dst, dstErr := f.root.Lstat(newName)
	if err := f.root.Rename(oldName, newName); err != nil {
		return toErrno(err)
	}
	if dstErr == nil && !os.SameFile(src, dst) {
		f.releaseLocked(sys.NewStat_t(dst))
		f.entries.Add(-1)
	}
	return 0
}

// Rmdir implements experimental/sys.FS.Rmdir.
func (f *FS) Rmdir(p string) experimentalsys.Errno {
	name, errno := rel(p)
	if errno != 0 {
		return errno
	}
	if path.Clean(name) == "." {
		return experimentalsys.EINVAL // never remove the container itself
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	info, err := f.root.Lstat(name)
	if err != nil {
		return toErrno(err)
	}
	if !info.IsDir() {
		return experimentalsys.ENOTDIR
	}
	if err := f.root.Remove(name); err != nil {
		return toErrno(err)
	}
	f.entries.Add(-1)
	return 0
}

// Unlink implements experimental/sys.FS.Unlink.
func (f *FS) Unlink(p string) experimentalsys.Errno {
	name, errno := rel(p)
	if errno != 0 {
		return errno
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	info, err := f.root.Lstat(name)
	if err != nil {
		return toErrno(err)
	}
	if info.IsDir() {
		return experimentalsys.EISDIR
	}
	if err := f.root.Remove(name); err != nil {
		return toErrno(err)
	}
	f.releaseLocked(sys.NewStat_t(info))
	f.entries.Add(-1)
	return 0
}

// Link implements experimental/sys.FS.Link. Hard links are not supported
// (EPERM): they would make one inode reachable under several names, which
// breaks quota accounting and, for links planted from outside, confinement.
func (f *FS) Link(string, string) experimentalsys.Errno {
	return experimentalsys.EPERM
}

// Symlink implements experimental/sys.FS.Symlink. The target must be a
// non-empty relative path without ".." components, so the link can only
// point at or below its own directory (EPERM otherwise).
func (f *FS) Symlink(target, link string) experimentalsys.Errno {
	name, errno := rel(link)
	if errno != 0 {
		return errno
	}
	if errno := checkSymlinkTarget(target); errno != 0 {
		return errno
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if errno := f.createLocked(name); errno != 0 {
		return errno
	}
	if err := f.root.Symlink(target, name); err != nil {
		return toErrno(err)
	}
	f.entries.Add(1)
	return 0
}

func checkSymlinkTarget(target string) experimentalsys.Errno {
	if target == "" || strings.IndexByte(target, 0) >= 0 {
		return experimentalsys.EINVAL
	}
	if strings.HasPrefix(target, "/") || strings.ContainsRune(target, '\\') {
		return experimentalsys.EPERM
	}
	for part := range strings.SplitSeq(target, "/") {
		if part == ".." {
			return experimentalsys.EPERM
		}
	}
	return 0
}

// Readlink implements experimental/sys.FS.Readlink.
func (f *FS) Readlink(p string) (string, experimentalsys.Errno) {
	name, errno := rel(p)
	if errno != 0 {
		return "", errno
	}
	dst, err := f.root.Readlink(name)
	if err != nil {
		return "", toErrno(err)
	}
	return dst, 0
}

// Utimens implements experimental/sys.FS.Utimens, following symbolic links
// (inside the container only).
func (f *FS) Utimens(p string, atim, mtim int64) experimentalsys.Errno {
	name, errno := rel(p)
	if errno != 0 {
		return errno
	}
	return toErrno(f.root.Chtimes(name, nanosToTime(atim), nanosToTime(mtim)))
}

// nanosToTime converts a wazero timestamp; UTIME_OMIT becomes the zero Time,
// which os.Root.Chtimes leaves unchanged.
func nanosToTime(ns int64) time.Time {
	if ns == experimentalsys.UTIME_OMIT {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// addOverflows reports whether off+n overflows int64.
func addOverflows(off int64, n int) bool {
	return off > math.MaxInt64-int64(n)
}
