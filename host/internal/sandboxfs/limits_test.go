package sandboxfs

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

func openFS(t *testing.T, dir string, l Limits) *FS {
	t.Helper()
	fsys, err := Open(dir, l)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = fsys.Close() })
	return fsys
}

// TestEntriesCountAgainstQuota: with a 1 MiB quota and 4 KiB an entry,
// 256 directories or empty files use it up (issue 9, item 5: one call made
// 172,676 directories under a 1 MiB quota), and removing one frees its
// cost.
func TestEntriesCountAgainstQuota(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"dir", "file", "symlink"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			fsys := openFS(t, t.TempDir(), Limits{Quota: 1 << 20, EntryBytes: 4 << 10})
			make := func(i int) experimentalsys.Errno {
				name := fmt.Sprintf("e%d", i)
				switch kind {
				case "dir":
					return fsys.Mkdir(name, 0o755)
				case "symlink":
					return fsys.Symlink("target", name)
				}
				f, errno := fsys.OpenFile(name, experimentalsys.O_CREAT|experimentalsys.O_WRONLY, 0o644)
				if errno == 0 {
					f.Close()
				}
				return errno
			}
			n := 0
			for ; n < 1000; n++ {
				if errno := make(n); errno != 0 {
					wantErrno(t, "the entry over the quota", errno, ErrnoQuotaExceeded)
					break
				}
			}
			if n != 256 || fsys.Entries() != 256 || fsys.Usage() != 1<<20 {
				t.Fatalf("made %d entries (Entries %d, Usage %d) before the quota, want 256 using 1 MiB", n, fsys.Entries(), fsys.Usage())
			}
			var errno experimentalsys.Errno
			if kind == "dir" {
				errno = fsys.Rmdir("e0")
			} else {
				errno = fsys.Unlink("e0")
			}
			wantErrno(t, "remove", errno, 0)
			wantErrno(t, "make after a remove", make(1000), 0)
			wantErrno(t, "make one more", make(1001), ErrnoQuotaExceeded)
		})
	}
}

// TestEntryCostLeavesRoomForData: file bytes and entries share the quota.
func TestEntryCostLeavesRoomForData(t *testing.T) {
	t.Parallel()
	fsys := openFS(t, t.TempDir(), Limits{Quota: 10 << 10, EntryBytes: 4 << 10})
	f := open(t, fsys, "a", experimentalsys.O_CREAT|experimentalsys.O_WRONLY)
	_, errno := f.Write(make([]byte, 6<<10+1))
	wantErrno(t, "a write past quota minus the entry", errno, ErrnoQuotaExceeded)
	_, errno = f.Write(make([]byte, 6<<10))
	wantErrno(t, "a write up to the quota", errno, 0)
	checkUsage(t, fsys, 10<<10)
	wantErrno(t, "mkdir when full", fsys.Mkdir("d", 0o755), ErrnoQuotaExceeded)
}

// TestDepthIsBounded: entries more than MaxDepth levels down are refused,
// whether the path is long or a symbolic link to a deep directory makes
// it short, and a directory cannot be moved deeper (issue 9, item 5: a
// 2,570-level tree).
func TestDepthIsBounded(t *testing.T) {
	t.Parallel()
	fsys := openFS(t, t.TempDir(), Limits{MaxDepth: 8})
	p := "d"
	for i := 1; i <= 8; i++ {
		wantErrno(t, fmt.Sprintf("mkdir at depth %d", i), fsys.Mkdir(p, 0o755), 0)
		p += "/d"
	}
	wantErrno(t, "mkdir at depth 9", fsys.Mkdir(p, 0o755), experimentalsys.ENAMETOOLONG)
	_, errno := fsys.OpenFile(p, experimentalsys.O_CREAT|experimentalsys.O_WRONLY, 0o644)
	wantErrno(t, "a file at depth 9", errno, experimentalsys.ENAMETOOLONG)
	wantErrno(t, "a symlink at depth 9", fsys.Symlink("x", p), experimentalsys.ENAMETOOLONG)
	f := open(t, fsys, "d/d/d/d/d/d/d/file", experimentalsys.O_CREAT|experimentalsys.O_WRONLY) // depth 8
	f.Close()

	// A link to depth 7 is a short path to it.
	wantErrno(t, "symlink", fsys.Symlink("d/d/d/d/d/d/d", "short"), 0)
	wantErrno(t, "mkdir at depth 8 through the link", fsys.Mkdir("short/x", 0o755), 0)
	wantErrno(t, "mkdir at depth 9 through the link", fsys.Mkdir("short/x/y", 0o755), experimentalsys.ENAMETOOLONG)

	// A directory may move up or across, not down.
	wantErrno(t, "mkdir e", fsys.Mkdir("e", 0o755), 0)
	wantErrno(t, "mkdir e/f", fsys.Mkdir("e/f", 0o755), 0)
	wantErrno(t, "move a directory down", fsys.Rename("e", "d/e"), experimentalsys.ENAMETOOLONG)
	wantErrno(t, "move a directory across", fsys.Rename("e/f", "g"), 0)
	wantErrno(t, "move a file up", fsys.Rename("d/d/d/d/d/d/d/file", "d/file"), 0)
}

// TestOpenReadsTheSavedUsage: the usage is measured once; Close saves it
// and the next Open reads it instead of walking the tree again (issue 9,
// item 5: a 2,570-level tree made every start wait 34 s). A record that
// does not match the container, or none because the host died with the
// container open, means a walk.
func TestOpenReadsTheSavedUsage(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dir := filepath.Join(base, "c")
	// A deep tree made outside (before the depth bound existed).
	deep := dir
	for i := 0; i < 300; i++ {
		deep = filepath.Join(deep, "d")
	}
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(deep, "f"), "12345")
	l := Limits{Quota: 16 << 20, EntryBytes: 4 << 10, MaxDepth: 32, UsageFile: filepath.Join(base, "c.usage")}
	want := int64(5 + 301*(4<<10))

	a, err := Open(dir, l)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Scanned() || a.Usage() != want {
		t.Fatalf("first Open: scanned %v, usage %d; want a walk measuring %d", a.Scanned(), a.Usage(), want)
	}
	f, errno := a.OpenFile("new", experimentalsys.O_CREAT|experimentalsys.O_WRONLY, 0o644)
	wantErrno(t, "create", errno, 0)
	f.Write([]byte("abc"))
	f.Close()
	want += 3 + 4<<10
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	b, err := Open(dir, l)
	if err != nil {
		t.Fatal(err)
	}
	if b.Scanned() || b.Usage() != want || b.Entries() != 302 {
		t.Errorf("second Open: scanned %v, usage %d, entries %d; want the saved %d and 302, no walk", b.Scanned(), b.Usage(), b.Entries(), want)
	}
	// The host dies with b open: its record is gone, the next Open walks.
	c, err := Open(dir, l)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Scanned() || c.Usage() != want {
		t.Errorf("Open after no Close: scanned %v, usage %d; want a walk measuring %d", c.Scanned(), c.Usage(), want)
	}
	b.Close()
	c.Close()
	// A file added at the top level from outside changes the container's
	// modification time: the record is not used.
	mustWrite(t, filepath.Join(dir, "outside"), "xy")
	d := openFS(t, dir, l)
	if !d.Scanned() || d.Usage() != want+2+4<<10 {
		t.Errorf("Open after a change: scanned %v, usage %d; want a walk measuring %d", d.Scanned(), d.Usage(), want+2+4<<10)
	}
}
