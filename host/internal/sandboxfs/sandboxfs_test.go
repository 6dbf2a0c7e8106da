package sandboxfs

import (
	"bytes"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

const secretContent = "TOP SECRET: must never be read by the guest"

// sandbox is a test layout: base/ holds files the guest must never reach,
// base/container is the app's data container.
type sandbox struct {
	base, dir string
}

// newSandbox creates base/secret.txt, base/secretdir/inner.txt and a
// container with hello.txt and symbolic links planted by "someone else" that
// point outside: relative, absolute, to a directory, and a chain.
func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "container")
	mustWrite(t, filepath.Join(base, "secret.txt"), secretContent)
	if err := os.Mkdir(filepath.Join(base, "secretdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(base, "secretdir", "inner.txt"), secretContent)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "hello.txt"), "hello world")
	for link, target := range map[string]string{
		"link-to-secret": "../secret.txt",
		"abs-link":       filepath.Join(base, "secret.txt"),
		"dir-link":       "../secretdir",
		"abs-dir-link":   filepath.Join(base, "secretdir"),
		"hop":            "link-to-secret", // inside, then outside
		"root-link":      "..",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	return &sandbox{base: base, dir: dir}
}

func mustWrite(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// outside returns a description of everything under base except the
// container: names, types, sizes, contents and modification times.
func (s *sandbox) outside(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(s.base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == s.dir {
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b.WriteString(p + " " + info.Mode().String() + " " + info.ModTime().String())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b.WriteString(" " + string(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func newFS(t *testing.T, dir string, quota int64) *FS {
	t.Helper()
	fsys, err := New(dir, quota)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = fsys.Close() })
	return fsys
}

func open(t *testing.T, fsys *FS, name string, flag experimentalsys.Oflag) experimentalsys.File {
	t.Helper()
	f, errno := fsys.OpenFile(name, flag, 0o600)
	if errno != 0 {
		t.Fatalf("OpenFile(%q, %v): %v", name, flag, errno)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func write(t *testing.T, f experimentalsys.File, data string) {
	t.Helper()
	if n, errno := f.Write([]byte(data)); errno != 0 || n != len(data) {
		t.Fatalf("Write(%d bytes) = %d, %v", len(data), n, errno)
	}
}

func wantErrno(t *testing.T, what string, got, want experimentalsys.Errno) {
	t.Helper()
	if got != want {
		t.Errorf("%s: errno %v, want %v", what, got, want)
	}
}

// diskUsage sums the regular file sizes under dir, independently of FS.
func diskUsage(t *testing.T, dir string) int64 {
	t.Helper()
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		total += info.Size()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func checkUsage(t *testing.T, fsys *FS, want int64) {
	t.Helper()
	if got := fsys.Usage(); got != want {
		t.Errorf("Usage() = %d, want %d", got, want)
	}
}

func TestNew(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b")
	fsys := newFS(t, dir, 0)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		t.Fatalf("container not created: %v", err)
	}
	checkUsage(t, fsys, 0)
	if fsys.String() != dir || fsys.Quota() != 0 {
		t.Errorf("String/Quota = %q/%d", fsys.String(), fsys.Quota())
	}

	if _, err := New(filepath.Join(base, "x"), -1); err == nil {
		t.Error("New with negative quota succeeded")
	}
	notDir := filepath.Join(base, "file")
	mustWrite(t, notDir, "x")
	if _, err := New(notDir, 0); err == nil || !strings.Contains(err.Error(), "sandboxfs") {
		t.Errorf("New on a regular file: %v", err)
	}
}

func TestNewScansUsage(t *testing.T) {
	s := newSandbox(t) // hello.txt is 11 bytes; symlinks to outside are not counted
	if err := os.MkdirAll(filepath.Join(s.dir, "d", "e"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(s.dir, "d", "e", "f"), strings.Repeat("z", 1000))
	mustWrite(t, filepath.Join(s.dir, "d", "g"), strings.Repeat("z", 89))
	// Two names for one inode count once.
	if err := os.Link(filepath.Join(s.dir, "d", "g"), filepath.Join(s.dir, "g2")); err != nil {
		t.Fatal(err)
	}
	fsys := newFS(t, s.dir, 500) // already over quota: allowed, cannot grow
	checkUsage(t, fsys, 1100)

	f := open(t, fsys, "d/e/f", experimentalsys.O_RDWR)
	_, errno := f.Write([]byte("a"))
	wantErrno(t, "overwrite when over quota", errno, 0)
	if _, errno := f.Seek(0, io.SeekEnd); errno != 0 {
		t.Fatal(errno)
	}
	_, errno = f.Write([]byte("a"))
	wantErrno(t, "grow when over quota", errno, ErrnoQuotaExceeded)
	wantErrno(t, "shrink when over quota", f.Truncate(10), 0)
	checkUsage(t, fsys, 110)
}

// TestEscapes tries every FS entry point with paths that lead outside the
// container, and checks each fails and nothing outside changes.
func TestEscapes(t *testing.T) {
	s := newSandbox(t)
	// A hard link planted from outside shares the inode of a file outside.
	if err := os.Link(filepath.Join(s.base, "secret.txt"), filepath.Join(s.dir, "hardlink")); err != nil {
		t.Fatal(err)
	}
	before := s.outside(t)
	fsys := newFS(t, s.dir, 0)

	escapes := []string{
		"..", "../secret.txt", "/../secret.txt", "//../secret.txt", "./../secret.txt",
		"sub/../../secret.txt", "hello.txt/../../secret.txt",
		"link-to-secret", "abs-link", "hop", "dir-link/inner.txt", "abs-dir-link/inner.txt",
		"root-link/secret.txt", "dir-link", "root-link",
		"../container/../secret.txt",
		filepath.Join(s.base, "secret.txt"), // absolute host path = inside name that does not exist
	}
	flags := []experimentalsys.Oflag{
		experimentalsys.O_RDONLY,
		experimentalsys.O_RDWR,
		experimentalsys.O_WRONLY | experimentalsys.O_CREAT | experimentalsys.O_TRUNC,
		experimentalsys.O_RDONLY | experimentalsys.O_DIRECTORY,
	}
	for _, p := range escapes {
		for _, flag := range flags {
			if f, errno := fsys.OpenFile(p, flag, 0o600); errno == 0 {
				// Only the absolute host path may open, as a new file inside.
				if !strings.HasPrefix(p, s.base) || flag&experimentalsys.O_CREAT == 0 {
					st, _ := f.Stat()
					t.Errorf("OpenFile(%q, %v) succeeded: %+v", p, flag, st)
				}
				_ = f.Close()
			}
		}
		if _, errno := fsys.Stat(p); errno == 0 && !strings.HasPrefix(p, s.base) {
			t.Errorf("Stat(%q) succeeded", p)
		}
		if errno := fsys.Utimens(p, 0, 0); errno == 0 && !strings.HasPrefix(p, s.base) {
			t.Errorf("Utimens(%q) succeeded", p)
		}
		if errno := fsys.Chmod(p, 0o777); errno == 0 && !strings.HasPrefix(p, s.base) {
			t.Errorf("Chmod(%q) succeeded", p)
		}
		for _, sub := range []string{"/new", "/inner.txt"} {
			if errno := fsys.Mkdir(p+sub, 0o755); errno == 0 {
				t.Errorf("Mkdir(%q) succeeded", p+sub)
			}
			if errno := fsys.Unlink(p + sub); errno == 0 {
				t.Errorf("Unlink(%q) succeeded", p+sub)
			}
			if errno := fsys.Rename("hello.txt", p+sub); errno == 0 {
				t.Errorf("Rename(hello.txt, %q) succeeded", p+sub)
			}
		}
		if errno := fsys.Rename(p+"/inner.txt", "stolen"); errno == 0 {
			t.Errorf("Rename(%q, stolen) succeeded", p+"/inner.txt")
		}
	}
	// The errno for a lexical escape is EPERM, like wazero's own checks.
	_, errno := fsys.OpenFile("../secret.txt", experimentalsys.O_RDONLY, 0)
	wantErrno(t, "open ../secret.txt", errno, experimentalsys.EPERM)
	_, errno = fsys.OpenFile("link-to-secret", experimentalsys.O_RDONLY, 0)
	wantErrno(t, "open link-to-secret", errno, experimentalsys.EPERM)
	wantErrno(t, "rmdir ../secretdir", fsys.Rmdir("../secretdir"), experimentalsys.EPERM)
	wantErrno(t, "rmdir dir-link (a symlink)", fsys.Rmdir("dir-link"), experimentalsys.ENOTDIR)
	wantErrno(t, "rmdir root", fsys.Rmdir("/"), experimentalsys.EINVAL)

	// Hard links: never created, and planted ones are not opened.
	wantErrno(t, "link outside", fsys.Link("../secret.txt", "x"), experimentalsys.EPERM)
	wantErrno(t, "link inside", fsys.Link("hello.txt", "x"), experimentalsys.EPERM)
	_, errno = fsys.OpenFile("hardlink", experimentalsys.O_RDONLY, 0)
	wantErrno(t, "open planted hard link", errno, experimentalsys.EPERM)
	_, errno = fsys.OpenFile("hardlink", experimentalsys.O_WRONLY|experimentalsys.O_TRUNC, 0)
	wantErrno(t, "truncate planted hard link", errno, experimentalsys.EPERM)

	// Symlinks the guest creates must point down from their own directory.
	for _, target := range []string{
		"../secret.txt", "..", "a/../../secret.txt", "a/..", "/etc/passwd",
		filepath.Join(s.base, "secret.txt"), `..\secret.txt`,
	} {
		wantErrno(t, "symlink to "+target, fsys.Symlink(target, "guest-link"), experimentalsys.EPERM)
	}
	wantErrno(t, "symlink to empty", fsys.Symlink("", "guest-link"), experimentalsys.EINVAL)
	wantErrno(t, "symlink placed outside", fsys.Symlink("hello.txt", "../evil-link"), experimentalsys.EPERM)
	wantErrno(t, "symlink placed through a link", fsys.Symlink("x", "dir-link/evil-link"), experimentalsys.EPERM)
	// A guest link chained to a planted escaping link resolves, and fails.
	wantErrno(t, "symlink to planted link", fsys.Symlink("link-to-secret", "guest-hop"), 0)
	_, errno = fsys.OpenFile("guest-hop", experimentalsys.O_RDONLY, 0)
	wantErrno(t, "open guest-hop", errno, experimentalsys.EPERM)
	// A guest link to a directory holding a planted escaping link.
	if errno := fsys.Mkdir("d", 0o755); errno != 0 {
		t.Fatal(errno)
	}
	if err := os.Symlink("../../secret.txt", filepath.Join(s.dir, "d", "up")); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, "symlink to dir", fsys.Symlink("d", "dl"), 0)
	_, errno = fsys.OpenFile("dl/up", experimentalsys.O_RDONLY, 0)
	wantErrno(t, "open dl/up", errno, experimentalsys.EPERM)

	// Removing or renaming the planted links themselves is fine: they are
	// entries of the container; their targets are untouched.
	wantErrno(t, "unlink planted link", fsys.Unlink("abs-link"), 0)
	wantErrno(t, "rename planted link", fsys.Rename("dir-link", "moved-link"), 0)
	_, errno = fsys.OpenFile("moved-link/inner.txt", experimentalsys.O_RDONLY, 0)
	wantErrno(t, "open through moved link", errno, experimentalsys.EPERM)

	if after := s.outside(t); after != before {
		t.Errorf("outside of the container changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestSpecialFilesRefused(t *testing.T) {
	s := newSandbox(t)
	// A socket node (creatable without privileges) stands for FIFOs and
	// devices, which might block open(2) or give raw device access.
	sock := filepath.Join(s.dir, "sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fsys := newFS(t, s.dir, 0)
	_, errno := fsys.OpenFile("sock", experimentalsys.O_RDONLY, 0)
	wantErrno(t, "open socket", errno, experimentalsys.EPERM)
	if st, errno := fsys.Lstat("sock"); errno != 0 || st.Mode&fs.ModeSocket == 0 {
		t.Errorf("Lstat(sock) = %v, %v", st.Mode, errno)
	}
}

func TestQuotaWrites(t *testing.T) {
	dir := t.TempDir()
	fsys := newFS(t, dir, 100)
	f := open(t, fsys, "a", experimentalsys.O_RDWR|experimentalsys.O_CREAT)
	write(t, f, strings.Repeat("a", 60))
	checkUsage(t, fsys, 60)

	n, errno := f.Write(make([]byte, 41))
	if errno != ErrnoQuotaExceeded || n != 0 {
		t.Errorf("Write beyond quota = %d, %v", n, errno)
	}
	checkUsage(t, fsys, 60)
	if got := fsys.QuotaDenials(); got != 1 {
		t.Errorf("QuotaDenials = %d, want 1", got)
	}
	// Overwriting in place does not grow the file.
	n, errno = f.Pwrite([]byte(strings.Repeat("b", 50)), 10)
	if errno != 0 || n != 50 {
		t.Errorf("Pwrite overwrite = %d, %v", n, errno)
	}
	checkUsage(t, fsys, 60)
	// Sparse extension counts the hole.
	_, errno = f.Pwrite([]byte("c"), 100)
	wantErrno(t, "Pwrite at 100", errno, ErrnoQuotaExceeded)
	// Exactly up to the quota is fine.
	if _, errno = f.Pwrite([]byte("c"), 99); errno != 0 {
		t.Fatal(errno)
	}
	checkUsage(t, fsys, 100)
	if _, errno = f.Seek(0, io.SeekEnd); errno != 0 {
		t.Fatal(errno)
	}
	_, errno = f.Write([]byte("d"))
	wantErrno(t, "Write at quota", errno, ErrnoQuotaExceeded)
	_, errno = f.Pwrite(nil, 1<<40)
	wantErrno(t, "empty Pwrite far away", errno, 0)
	_, errno = f.Pwrite([]byte("x"), -1)
	wantErrno(t, "Pwrite negative offset", errno, experimentalsys.EINVAL)

	// A full container accepts no new files or directories, but existing
	// files can still be opened and rewritten.
	_, errno = fsys.OpenFile("b", experimentalsys.O_WRONLY|experimentalsys.O_CREAT, 0o600)
	wantErrno(t, "create when full", errno, ErrnoQuotaExceeded)
	wantErrno(t, "mkdir when full", fsys.Mkdir("dir", 0o700), ErrnoQuotaExceeded)
	wantErrno(t, "symlink when full", fsys.Symlink("a", "l"), ErrnoQuotaExceeded)
	g := open(t, fsys, "a", experimentalsys.O_WRONLY|experimentalsys.O_TRUNC)
	checkUsage(t, fsys, 0)
	write(t, g, "0123456789")
	checkUsage(t, fsys, 10)

	if info, err := os.Stat(filepath.Join(dir, "a")); err != nil || info.Size() != 10 {
		t.Errorf("file on disk: %v, %v", info, err)
	}
	checkUsage(t, fsys, diskUsage(t, dir))
}

func TestQuotaAppend(t *testing.T) {
	fsys := newFS(t, t.TempDir(), 20)
	f := open(t, fsys, "log", experimentalsys.O_WRONLY|experimentalsys.O_CREAT|experimentalsys.O_APPEND)
	write(t, f, "0123456789")
	if _, errno := f.Seek(0, io.SeekStart); errno != 0 {
		t.Fatal(errno)
	}
	write(t, f, "abcdefghij") // appends despite the seek
	checkUsage(t, fsys, 20)
	_, errno := f.Write([]byte("x"))
	wantErrno(t, "append at quota", errno, ErrnoQuotaExceeded)
	if !f.IsAppend() {
		t.Error("IsAppend = false")
	}
	wantErrno(t, "SetAppend(false)", f.SetAppend(false), 0)
	if _, errno := f.Seek(0, io.SeekStart); errno != 0 {
		t.Fatal(errno)
	}
	write(t, f, "XY")
	checkUsage(t, fsys, 20)
	f.Close()
	r := open(t, fsys, "log", experimentalsys.O_RDONLY)
	buf := make([]byte, 32)
	n, _ := r.Read(buf)
	if got := string(buf[:n]); got != "XY23456789abcdefghij" {
		t.Errorf("content %q", got)
	}
}

func TestQuotaTruncate(t *testing.T) {
	fsys := newFS(t, t.TempDir(), 100)
	f := open(t, fsys, "t", experimentalsys.O_RDWR|experimentalsys.O_CREAT)
	wantErrno(t, "extend to quota", f.Truncate(100), 0)
	checkUsage(t, fsys, 100)
	wantErrno(t, "extend beyond quota", f.Truncate(101), ErrnoQuotaExceeded)
	wantErrno(t, "shrink", f.Truncate(30), 0)
	checkUsage(t, fsys, 30)
	wantErrno(t, "negative", f.Truncate(-1), experimentalsys.EINVAL)
	if st, _ := f.Stat(); st.Size != 30 {
		t.Errorf("size %d", st.Size)
	}
	r := open(t, fsys, "t", experimentalsys.O_RDONLY)
	wantErrno(t, "truncate read-only", r.Truncate(0), experimentalsys.EBADF)
	_, errno := r.Write([]byte("x"))
	wantErrno(t, "write read-only", errno, experimentalsys.EBADF)
	// O_TRUNC on a read-only open does not truncate.
	open(t, fsys, "t", experimentalsys.O_RDONLY|experimentalsys.O_TRUNC)
	checkUsage(t, fsys, 30)
}

func TestQuotaRemoveAndRename(t *testing.T) {
	dir := t.TempDir()
	fsys := newFS(t, dir, 100)
	a := open(t, fsys, "a", experimentalsys.O_WRONLY|experimentalsys.O_CREAT)
	write(t, a, strings.Repeat("a", 40))
	a.Close()
	b := open(t, fsys, "b", experimentalsys.O_WRONLY|experimentalsys.O_CREAT)
	write(t, b, strings.Repeat("b", 30))
	b.Close()
	checkUsage(t, fsys, 70)

	wantErrno(t, "rename over", fsys.Rename("a", "b"), 0)
	checkUsage(t, fsys, 40)
	wantErrno(t, "rename onto itself", fsys.Rename("b", "b"), 0)
	checkUsage(t, fsys, 40)
	wantErrno(t, "mkdir", fsys.Mkdir("d", 0o700), 0)
	wantErrno(t, "rename into dir", fsys.Rename("b", "/d/b"), 0)
	checkUsage(t, fsys, 40)
	wantErrno(t, "rename dir", fsys.Rename("d", "e"), 0)
	wantErrno(t, "unlink", fsys.Unlink("e/b"), 0)
	checkUsage(t, fsys, 0)
	wantErrno(t, "unlink missing", fsys.Unlink("e/b"), experimentalsys.ENOENT)
	checkUsage(t, fsys, diskUsage(t, dir))
}

func TestQuotaUnlinkWhileOpen(t *testing.T) {
	dir := t.TempDir()
	fsys := newFS(t, dir, 100)
	f := open(t, fsys, "f", experimentalsys.O_RDWR|experimentalsys.O_CREAT)
	r := open(t, fsys, "f", experimentalsys.O_RDONLY)
	write(t, f, strings.Repeat("f", 50))
	wantErrno(t, "unlink", fsys.Unlink("f"), 0)
	// The data still occupies the disk while open, so it stays counted...
	checkUsage(t, fsys, 50)
	_, errno := f.Write(make([]byte, 51))
	wantErrno(t, "grow unlinked file beyond quota", errno, ErrnoQuotaExceeded)
	write(t, f, "ff")
	checkUsage(t, fsys, 52)
	// ...until its last handle closes.
	wantErrno(t, "close writer", f.Close(), 0)
	checkUsage(t, fsys, 52)
	wantErrno(t, "close reader", r.Close(), 0)
	checkUsage(t, fsys, 0)

	// Same for a file replaced by a rename.
	g := open(t, fsys, "g", experimentalsys.O_RDWR|experimentalsys.O_CREAT)
	write(t, g, strings.Repeat("g", 20))
	h := open(t, fsys, "h", experimentalsys.O_RDWR|experimentalsys.O_CREAT)
	write(t, h, strings.Repeat("h", 10))
	wantErrno(t, "rename over open file", fsys.Rename("h", "g"), 0)
	checkUsage(t, fsys, 30)
	g.Close()
	checkUsage(t, fsys, 10)
	h.Close()
	checkUsage(t, fsys, diskUsage(t, dir))
}

func TestUnlimited(t *testing.T) {
	fsys := newFS(t, t.TempDir(), 0)
	f := open(t, fsys, "big", experimentalsys.O_RDWR|experimentalsys.O_CREAT)
	write(t, f, strings.Repeat("x", 1<<20))
	wantErrno(t, "sparse 1 GiB", f.Truncate(1<<30), 0)
	checkUsage(t, fsys, 1<<30)
	if fsys.QuotaDenials() != 0 {
		t.Error("denials without a quota")
	}
}

// TestConcurrentUsage checks Usage can be read while the guest writes
// (meaningful with -race).
func TestConcurrentUsage(t *testing.T) {
	fsys := newFS(t, t.TempDir(), 1<<20)
	f := open(t, fsys, "f", experimentalsys.O_WRONLY|experimentalsys.O_CREAT)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				if u := fsys.Usage(); u < 0 || u > 1<<20 {
					t.Errorf("Usage() = %d", u)
					return
				}
			}
		}
	})
	g := open(t, fsys, "g", experimentalsys.O_WRONLY|experimentalsys.O_CREAT)
	wg.Go(func() {
		for range 100 {
			write(t, g, "0123456789")
		}
	})
	for range 100 {
		write(t, f, "0123456789")
	}
	close(stop)
	wg.Wait()
	checkUsage(t, fsys, 2000)
}

func TestNormalOperations(t *testing.T) {
	s := newSandbox(t)
	fsys := newFS(t, s.dir, 1<<20)

	wantErrno(t, "mkdir", fsys.Mkdir("dir", 0o755), 0)
	wantErrno(t, "mkdir again", fsys.Mkdir("/dir", 0o755), experimentalsys.EEXIST)
	wantErrno(t, "mkdir missing parent", fsys.Mkdir("no/such", 0o755), experimentalsys.ENOENT)
	wantErrno(t, "mkdir under file", fsys.Mkdir("hello.txt/x", 0o755), experimentalsys.ENOENT)

	f := open(t, fsys, "/dir/file", experimentalsys.O_RDWR|experimentalsys.O_CREAT|experimentalsys.O_EXCL)
	write(t, f, "abcdefghij")
	_, errno := fsys.OpenFile("dir/file", experimentalsys.O_RDWR|experimentalsys.O_CREAT|experimentalsys.O_EXCL, 0o600)
	wantErrno(t, "O_EXCL existing", errno, experimentalsys.EEXIST)
	_, errno = fsys.OpenFile("dir/missing", experimentalsys.O_RDONLY, 0)
	wantErrno(t, "open missing", errno, experimentalsys.ENOENT)
	_, errno = fsys.OpenFile("dir/file", experimentalsys.O_RDONLY|experimentalsys.O_DIRECTORY, 0)
	wantErrno(t, "O_DIRECTORY on file", errno, experimentalsys.ENOTDIR)
	_, errno = fsys.OpenFile("dir", experimentalsys.O_RDWR, 0)
	wantErrno(t, "open dir for writing", errno, experimentalsys.EISDIR)

	// Seek, Read, Pread.
	if off, errno := f.Seek(-4, io.SeekEnd); errno != 0 || off != 6 {
		t.Fatalf("Seek = %d, %v", off, errno)
	}
	buf := make([]byte, 10)
	if n, errno := f.Read(buf); errno != 0 || string(buf[:n]) != "ghij" {
		t.Errorf("Read = %q, %v", buf[:n], errno)
	}
	if n, errno := f.Read(buf); errno != 0 || n != 0 {
		t.Errorf("Read at EOF = %d, %v", n, errno)
	}
	if n, errno := f.Pread(buf[:3], 2); errno != 0 || string(buf[:n]) != "cde" {
		t.Errorf("Pread = %q, %v", buf[:n], errno)
	}
	if n, errno := f.Pread(buf, 8); errno != 0 || string(buf[:n]) != "ij" {
		t.Errorf("short Pread = %q, %v", buf[:n], errno)
	}
	_, errno = f.Seek(0, 7)
	wantErrno(t, "bad whence", errno, experimentalsys.EINVAL)
	wantErrno(t, "Sync", f.Sync(), 0)
	wantErrno(t, "Datasync", f.Datasync(), 0)

	// Stat of file and handle agree; Dev/Ino/IsDir are cached.
	st, errno := fsys.Stat("dir/file")
	fst, errno2 := f.Stat()
	ino, _ := f.Ino()
	dev, _ := f.Dev()
	if errno != 0 || errno2 != 0 || st.Size != 10 || st.Ino != fst.Ino || ino != st.Ino || dev != st.Dev || st.Ino == 0 {
		t.Errorf("Stat = %+v, %v; File.Stat = %+v, %v; ino %d", st, errno, fst, errno2, ino)
	}
	if isDir, _ := f.IsDir(); isDir {
		t.Error("file IsDir")
	}

	// Times, by path and by handle, at nanosecond precision.
	const t1, t2 = int64(1_600_000_000_123_456_789), int64(1_700_000_000_987_654_321)
	wantErrno(t, "Utimens", fsys.Utimens("dir/file", t1, t2), 0)
	if st, _ := fsys.Stat("dir/file"); st.Atim != t1 || st.Mtim != t2 {
		t.Errorf("times after Utimens = %d, %d", st.Atim, st.Mtim)
	}
	wantErrno(t, "Utimens omit", fsys.Utimens("dir/file", experimentalsys.UTIME_OMIT, t1), 0)
	if st, _ := fsys.Stat("dir/file"); st.Atim != t1 || st.Mtim != t1 {
		t.Errorf("times after Utimens omit = %d, %d", st.Atim, st.Mtim)
	}
	wantErrno(t, "File.Utimens", f.Utimens(t2, experimentalsys.UTIME_OMIT), 0)
	if st, _ := f.Stat(); st.Atim != t2 || st.Mtim != t1 {
		t.Errorf("times after File.Utimens = %d, %d", st.Atim, st.Mtim)
	}
	wantErrno(t, "Utimens missing", fsys.Utimens("nope", t1, t1), experimentalsys.ENOENT)

	// Chmod keeps the owner's access.
	wantErrno(t, "Chmod", fsys.Chmod("dir/file", 0o4000|0o044), 0)
	if st, _ := fsys.Stat("dir/file"); st.Mode != 0o644 {
		t.Errorf("mode after Chmod = %v", st.Mode)
	}

	// Symbolic links inside: chains and links to directories work.
	wantErrno(t, "symlink", fsys.Symlink("dir/file", "alias"), 0)
	wantErrno(t, "symlink chain", fsys.Symlink("alias", "alias2"), 0)
	wantErrno(t, "symlink to dir", fsys.Symlink("dir", "dirlink"), 0)
	wantErrno(t, "symlink exists", fsys.Symlink("dir", "dirlink"), experimentalsys.EEXIST)
	wantErrno(t, "symlink in subdir", fsys.Symlink("./file", "dir/self"), 0)
	for _, p := range []string{"alias2", "dirlink/file", "dir/self"} {
		g := open(t, fsys, p, experimentalsys.O_RDONLY)
		if n, errno := g.Read(buf); errno != 0 || string(buf[:n]) != "abcdefghij" {
			t.Errorf("read %s = %q, %v", p, buf[:n], errno)
		}
	}
	if target, errno := fsys.Readlink("alias2"); errno != 0 || target != "alias" {
		t.Errorf("Readlink = %q, %v", target, errno)
	}
	if target, errno := fsys.Readlink("link-to-secret"); errno != 0 || target != "../secret.txt" {
		t.Errorf("Readlink planted = %q, %v", target, errno)
	}
	if st, errno := fsys.Lstat("alias"); errno != 0 || st.Mode&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(alias) = %v, %v", st.Mode, errno)
	}
	_, errno = fsys.OpenFile("alias", experimentalsys.O_RDONLY|experimentalsys.O_NOFOLLOW, 0)
	wantErrno(t, "O_NOFOLLOW on symlink", errno, experimentalsys.ELOOP)
	loops := []string{"loop1", "loop2"}
	wantErrno(t, "loop link 1", fsys.Symlink(loops[1], loops[0]), 0)
	wantErrno(t, "loop link 2", fsys.Symlink(loops[0], loops[1]), 0)
	_, errno = fsys.OpenFile("loop1", experimentalsys.O_RDONLY, 0)
	wantErrno(t, "open symlink loop", errno, experimentalsys.ELOOP)

	// Directories: listing, rewinding, removal rules.
	for _, name := range []string{"b", "c"} {
		g := open(t, fsys, "dir/"+name, experimentalsys.O_WRONLY|experimentalsys.O_CREAT)
		g.Close()
	}
	wantErrno(t, "mkdir sub", fsys.Mkdir("dir/sub", 0o755), 0)
	d := open(t, fsys, "dir", experimentalsys.O_RDONLY|experimentalsys.O_DIRECTORY)
	if isDir, _ := d.IsDir(); !isDir {
		t.Error("dir IsDir = false")
	}
	first, errno := d.Readdir(2)
	if errno != 0 || len(first) != 2 {
		t.Fatalf("Readdir(2) = %v, %v", first, errno)
	}
	rest, errno := d.Readdir(-1)
	if errno != 0 {
		t.Fatal(errno)
	}
	all := append(first, rest...)
	var names []string
	for _, e := range all {
		names = append(names, e.Name)
		if e.Ino == 0 {
			t.Errorf("dirent %s has no inode", e.Name)
		}
		if (e.Name == "sub") != e.IsDir() || (e.Name == "self") != (e.Type == fs.ModeSymlink) {
			t.Errorf("dirent %s type %v", e.Name, e.Type)
		}
	}
	slices.Sort(names)
	if want := []string{"b", "c", "file", "self", "sub"}; !slices.Equal(names, want) {
		t.Errorf("Readdir names %v, want %v", names, want)
	}
	if more, errno := d.Readdir(10); errno != 0 || len(more) != 0 {
		t.Errorf("Readdir at end = %v, %v", more, errno)
	}
	if _, errno := d.Seek(0, io.SeekStart); errno != 0 {
		t.Fatal(errno)
	}
	if again, errno := d.Readdir(-1); errno != 0 || len(again) != 5 {
		t.Errorf("Readdir after rewind = %d entries, %v", len(again), errno)
	}
	_, errno = d.Seek(1, io.SeekStart)
	wantErrno(t, "seek dir", errno, experimentalsys.EISDIR)
	_, errno = d.Read(buf)
	wantErrno(t, "read dir", errno, experimentalsys.EISDIR)
	_, errno = d.Write(buf)
	wantErrno(t, "write dir", errno, experimentalsys.EISDIR)
	_, errno = f.Readdir(-1)
	wantErrno(t, "readdir file", errno, experimentalsys.EBADF)

	root := open(t, fsys, ".", experimentalsys.O_RDONLY)
	if entries, errno := root.Readdir(-1); errno != 0 || len(entries) < 8 {
		t.Errorf("Readdir(.) = %d entries, %v", len(entries), errno)
	}
	wantErrno(t, "rmdir non-empty", fsys.Rmdir("dir"), experimentalsys.ENOTEMPTY)
	wantErrno(t, "rmdir file", fsys.Rmdir("dir/b"), experimentalsys.ENOTDIR)
	wantErrno(t, "unlink dir", fsys.Unlink("dir/sub"), experimentalsys.EISDIR)
	wantErrno(t, "rmdir", fsys.Rmdir("dir/sub"), 0)
	wantErrno(t, "unlink symlink to dir", fsys.Unlink("dirlink"), 0)
	for _, p := range [][2]string{{".", "moved"}, {"/", "moved"}, {"dir/c", "."}, {"dir", "dir/sub2"}} {
		if errno := fsys.Rename(p[0], p[1]); errno == 0 {
			t.Errorf("Rename(%q, %q) succeeded", p[0], p[1])
		}
	}
	if _, err := os.Stat(filepath.Join(s.dir, "dir", "b")); err != nil {
		t.Errorf("unlinking a symlink removed its target's content: %v", err)
	}

	// Closed handles.
	wantErrno(t, "close", f.Close(), 0)
	wantErrno(t, "close twice", f.Close(), 0)
	_, errno = f.Read(buf)
	wantErrno(t, "read closed", errno, experimentalsys.EBADF)
	_, errno = f.Write(buf)
	wantErrno(t, "write closed", errno, experimentalsys.EBADF)
	_, errno = f.Stat()
	wantErrno(t, "stat closed", errno, experimentalsys.EBADF)

	checkUsage(t, fsys, diskUsage(t, s.dir))

	// After Close, path operations fail.
	if err := fsys.Close(); err != nil {
		t.Fatal(err)
	}
	_, errno = fsys.Stat("hello.txt")
	wantErrno(t, "stat after Close", errno, experimentalsys.EBADF)
	_, errno = fsys.OpenFile("hello.txt", experimentalsys.O_RDONLY, 0)
	wantErrno(t, "open after Close", errno, experimentalsys.EBADF)
}

func TestRelPaths(t *testing.T) {
	for in, want := range map[string]string{
		"": ".", "/": ".", ".": ".", "/a": "a", "//a/b/": "a/b/", "a/../b": "a/../b", "/../x": "../x",
	} {
		if got, errno := rel(in); errno != 0 || got != want {
			t.Errorf("rel(%q) = %q, %v; want %q", in, got, errno, want)
		}
	}
	if _, errno := rel("a\x00b"); errno != experimentalsys.EINVAL {
		t.Errorf("rel with NUL: %v", errno)
	}
	fsys := newFS(t, t.TempDir(), 0)
	_, errno := fsys.Stat("a\x00b")
	wantErrno(t, "Stat with NUL", errno, experimentalsys.EINVAL)
	if st, errno := fsys.Stat(""); errno != 0 || !st.Mode.IsDir() {
		t.Errorf("Stat(\"\") = %v, %v", st.Mode, errno)
	}
}

// TestSandboxHelper checks the fixture itself: the planted link does reach
// the secret when followed naively, so TestEscapes is meaningful.
func TestSandboxHelper(t *testing.T) {
	s := newSandbox(t)
	data, err := os.ReadFile(filepath.Join(s.dir, "link-to-secret"))
	if err != nil || !bytes.Equal(data, []byte(secretContent)) {
		t.Fatalf("planted link does not reach the secret on the host: %q, %v", data, err)
	}
	if !strings.Contains(s.outside(t), secretContent) {
		t.Fatal("outside snapshot misses the secret")
	}
}
