package sandboxfs

import (
	"errors"
	"io"
	"os"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// file is an experimental/sys.File over an *os.File opened through the
// container's os.Root. All operations use the file descriptor, never a path.
//
// O_APPEND is emulated: the descriptor is never opened in append mode and
// Write seeks to the end first. This keeps SetAppend a simple toggle and lets
// the quota check know where a write lands. It is atomic with respect to the
// guest's own writes (serialized by FS.mu), not to other processes.
//
// It implements every File method itself (no UnimplementedFile), so a new
// method in a future wazero fails to compile instead of silently defaulting.
type file struct {
	seekMethod[int64] // Seek, set to file.seek by newFile

	fs       *FS
	f        *os.File
	dev, ino uint64
	isDir    bool
	writable bool
	append   bool
	closed   bool
}

var _ experimentalsys.File = (*file)(nil)

func newFile(f *file) *file {
	f.seekMethod = f.seek
	return f
}

// seekMethod provides the Seek method of file. It exists only because go
// vet's stdmethods check wants every method named Seek to have io.Seeker's
// signature, while experimental/sys.File.Seek returns an Errno; declaring
// the parameter as a type parameter keeps vet from matching it.
type seekMethod[Off ~int64] func(Off, int) (Off, experimentalsys.Errno)

// Seek implements experimental/sys.File.Seek.
func (s seekMethod[Off]) Seek(offset Off, whence int) (Off, experimentalsys.Errno) {
	return s(offset, whence)
}

// Dev implements experimental/sys.File.Dev.
func (f *file) Dev() (uint64, experimentalsys.Errno) { return f.dev, 0 }

// Ino implements experimental/sys.File.Ino.
func (f *file) Ino() (sys.Inode, experimentalsys.Errno) { return f.ino, 0 }

// IsDir implements experimental/sys.File.IsDir.
func (f *file) IsDir() (bool, experimentalsys.Errno) { return f.isDir, 0 }

// IsAppend implements experimental/sys.File.IsAppend.
func (f *file) IsAppend() bool { return f.append }

// SetAppend implements experimental/sys.File.SetAppend.
func (f *file) SetAppend(enable bool) experimentalsys.Errno {
	if errno := f.check(false); errno != 0 {
		return errno
	}
	f.append = enable
	return 0
}

// check validates the handle for an operation; regular requires a regular
// file (directories get EISDIR).
func (f *file) check(regular bool) experimentalsys.Errno {
	if f.closed {
		return experimentalsys.EBADF
	}
	if regular && f.isDir {
		return experimentalsys.EISDIR
	}
	return 0
}

// Stat implements experimental/sys.File.Stat.
func (f *file) Stat() (sys.Stat_t, experimentalsys.Errno) {
	if f.closed {
		return sys.Stat_t{}, experimentalsys.EBADF
	}
	return statOf(f.f.Stat())
}

// Read implements experimental/sys.File.Read.
func (f *file) Read(buf []byte) (int, experimentalsys.Errno) {
	if errno := f.check(true); errno != 0 {
		return 0, errno
	}
	if len(buf) == 0 {
		return 0, 0
	}
	n, err := f.f.Read(buf)
	if err == io.EOF {
		err = nil
	}
	return n, toErrno(err)
}

// Pread implements experimental/sys.File.Pread.
func (f *file) Pread(buf []byte, off int64) (int, experimentalsys.Errno) {
	if errno := f.check(true); errno != 0 {
		return 0, errno
	}
	if off < 0 {
		return 0, experimentalsys.EINVAL
	}
	if len(buf) == 0 {
		return 0, 0
	}
	n, err := f.f.ReadAt(buf, off)
	if err == io.EOF {
		err = nil
	}
	return n, toErrno(err)
}

// seek implements experimental/sys.File.Seek. On a directory only rewinding
// (offset 0 from the start) is supported; it restarts Readdir.
func (f *file) seek(offset int64, whence int) (int64, experimentalsys.Errno) {
	if f.closed {
		return 0, experimentalsys.EBADF
	}
	if whence < io.SeekStart || whence > io.SeekEnd {
		return 0, experimentalsys.EINVAL
	}
	if f.isDir && (offset != 0 || whence != io.SeekStart) {
		return 0, experimentalsys.EISDIR
	}
	n, err := f.f.Seek(offset, whence)
	return n, toErrno(err)
}

// Readdir implements experimental/sys.File.Readdir. Entries are stat'ed
// relative to the open directory (fstatat), not by path.
func (f *file) Readdir(n int) ([]experimentalsys.Dirent, experimentalsys.Errno) {
	if f.closed || !f.isDir {
		return nil, experimentalsys.EBADF
	}
	infos, err := f.f.Readdir(n)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, toErrno(err)
	}
	dirents := make([]experimentalsys.Dirent, 0, len(infos))
	for _, info := range infos {
		dirents = append(dirents, experimentalsys.Dirent{
			Name: info.Name(),
			Ino:  sys.NewStat_t(info).Ino,
			Type: info.Mode().Type(),
		})
	}
	return dirents, 0
}

// Write implements experimental/sys.File.Write. A write that would exceed
// the quota writes nothing and fails with ErrnoQuotaExceeded.
func (f *file) Write(buf []byte) (int, experimentalsys.Errno) {
	if errno := f.checkWrite(); errno != 0 || len(buf) == 0 {
		return 0, errno
	}
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	size, errno := f.size()
	if errno != 0 {
		return 0, errno
	}
	whence := io.SeekCurrent
	if f.append {
		whence = io.SeekEnd
	}
	off, err := f.f.Seek(0, whence)
	if err != nil {
		return 0, toErrno(err)
	}
	if addOverflows(off, len(buf)) {
		return 0, experimentalsys.EINVAL
	}
	if errno := f.fs.reserveLocked(size, max(size, off+int64(len(buf)))); errno != 0 {
		return 0, errno
	}
	n, err := f.f.Write(buf)
	f.fs.usage.Add(max(size, off+int64(n)) - size)
	return n, toErrno(err)
}

// Pwrite implements experimental/sys.File.Pwrite, with the same quota rule
// as Write. It writes at off even when the file is in append mode.
func (f *file) Pwrite(buf []byte, off int64) (int, experimentalsys.Errno) {
	if errno := f.checkWrite(); errno != 0 {
		return 0, errno
	}
	if off < 0 || addOverflows(off, len(buf)) {
		return 0, experimentalsys.EINVAL
	}
	if len(buf) == 0 {
		return 0, 0
	}
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	size, errno := f.size()
	if errno != 0 {
		return 0, errno
	}
	if errno := f.fs.reserveLocked(size, max(size, off+int64(len(buf)))); errno != 0 {
		return 0, errno
	}
	n, err := f.f.WriteAt(buf, off)
	f.fs.usage.Add(max(size, off+int64(n)) - size)
	return n, toErrno(err)
}

// Truncate implements experimental/sys.File.Truncate. Extending beyond the
// quota fails with ErrnoQuotaExceeded.
func (f *file) Truncate(size int64) experimentalsys.Errno {
	if errno := f.checkWrite(); errno != 0 {
		return errno
	}
	if size < 0 {
		return experimentalsys.EINVAL
	}
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	cur, errno := f.size()
	if errno != 0 {
		return errno
	}
	if errno := f.fs.reserveLocked(cur, size); errno != 0 {
		return errno
	}
	if err := f.f.Truncate(size); err != nil {
		return toErrno(err)
	}
	if size > cur {
		f.fs.usage.Add(size - cur)
	} else {
		f.fs.sub(cur - size)
	}
	return 0
}

func (f *file) checkWrite() experimentalsys.Errno {
	if errno := f.check(true); errno != 0 {
		return errno
	}
	if !f.writable {
		return experimentalsys.EBADF
	}
	return 0
}

// size returns the current size of the file, via fstat.
func (f *file) size() (int64, experimentalsys.Errno) {
	fi, err := f.f.Stat()
	if err != nil {
		return 0, toErrno(err)
	}
	return fi.Size(), 0
}

// Sync implements experimental/sys.File.Sync.
func (f *file) Sync() experimentalsys.Errno {
	if f.closed {
		return experimentalsys.EBADF
	}
	return toErrno(f.f.Sync())
}

// Datasync implements experimental/sys.File.Datasync (as a full sync).
func (f *file) Datasync() experimentalsys.Errno { return f.Sync() }

// Utimens implements experimental/sys.File.Utimens.
func (f *file) Utimens(atim, mtim int64) experimentalsys.Errno {
	if f.closed {
		return experimentalsys.EBADF
	}
	if atim == experimentalsys.UTIME_OMIT && mtim == experimentalsys.UTIME_OMIT {
		return 0
	}
	return futimens(f.f, atim, mtim)
}

// Close implements experimental/sys.File.Close. Closing the last handle of
// a regular file that was unlinked meanwhile releases its size from the
// usage.
func (f *file) Close() experimentalsys.Errno {
	if f.closed {
		return 0
	}
	f.closed = true
	if !f.isDir {
		f.fs.mu.Lock()
		k := inodeKey{f.dev, f.ino}
		if f.fs.open[k]--; f.fs.open[k] <= 0 {
			delete(f.fs.open, k)
			if fi, err := f.f.Stat(); err == nil {
				if st := sys.NewStat_t(fi); st.Nlink == 0 {
					f.fs.sub(st.Size)
				}
			}
		}
		f.fs.mu.Unlock()
	}
	return toErrno(f.f.Close())
}
