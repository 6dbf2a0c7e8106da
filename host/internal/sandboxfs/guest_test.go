package sandboxfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
	"github.com/watchbox/watchbox/internal/buildgate"
)

// The guest (testdata/guest) is built once per test binary, and compiled
// once into a runtime shared by the tests, with an on-disk compilation cache
// shared between test runs.
var guest struct {
	once     sync.Once
	err      error
	tmp      string
	cache    wazero.CompilationCache
	runtime  wazero.Runtime
	compiled wazero.CompiledModule
}

func TestMain(m *testing.M) {
	code := m.Run()
	ctx := context.Background()
	if guest.runtime != nil {
		_ = guest.runtime.Close(ctx)
	}
	if guest.cache != nil {
		_ = guest.cache.Close(ctx)
	}
	if guest.tmp != "" {
		_ = os.RemoveAll(guest.tmp)
	}
	os.Exit(code)
}

func loadGuest(t *testing.T) {
	t.Helper()
	guest.once.Do(func() { guest.err = buildGuest() })
	if guest.err != nil {
		t.Fatal(guest.err)
	}
}

func buildGuest() error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "sandboxfs-guest-")
	if err != nil {
		return fmt.Errorf("creating build dir: %w", err)
	}
	guest.tmp = tmp
	wasm := filepath.Join(tmp, "guest.wasm")
	cmd := exec.Command("go", "build", "-o", wasm, ".")
	cmd.Dir = filepath.Join("testdata", "guest")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	// Take turns with the other test binaries' first wasip1 builds, so
	// that a cold Go cache compiles the standard library once.
	end, err := buildgate.First(ctx)
	if err != nil {
		return err
	}
	out, err := cmd.CombinedOutput()
	end(err == nil)
	if err != nil {
		return fmt.Errorf("building guest: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(wasm)
	if err != nil {
		return fmt.Errorf("reading guest: %w", err)
	}
	guest.cache, err = wazero.NewCompilationCacheWithDir(filepath.Join(os.TempDir(), "watchbox-test-wazero-cache"))
	if err != nil {
		return fmt.Errorf("opening compilation cache: %w", err)
	}
	guest.runtime = wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(guest.cache))
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, guest.runtime); err != nil {
		return fmt.Errorf("instantiating WASI: %w", err)
	}
	if guest.compiled, err = guest.runtime.CompileModule(ctx, bin); err != nil {
		return fmt.Errorf("compiling guest: %w", err)
	}
	return nil
}

// runGuest runs the guest with fsys mounted as "/" and the given commands
// (separated by ";"), and returns one result line per command.
func runGuest(t *testing.T, fsys *FS, args ...string) []string {
	t.Helper()
	loadGuest(t)
	var stdout, stderr bytes.Buffer
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithArgs(append([]string{"guest"}, args...)...).
		WithStdout(&stdout).
		WithStderr(&stderr).
		WithSysWalltime().
		WithSysNanotime().
		WithFSConfig(wazero.NewFSConfig().(sysfs.FSConfig).WithSysFSMount(fsys, "/"))
	ctx := context.Background()
	mod, err := guest.runtime.InstantiateModule(ctx, guest.compiled, cfg)
	if mod != nil {
		_ = mod.Close(ctx)
	}
	var exit *sys.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 0) {
		t.Fatalf("guest %q: %v\nstderr:\n%s", args, err, stderr.String())
	}
	out := strings.TrimSuffix(stdout.String(), "\n")
	if strings.Contains(out, secretContent) {
		t.Errorf("guest output contains the secret:\n%s", out)
	}
	lines := strings.Split(out, "\n")
	want := 1
	for _, a := range args {
		if a == ";" {
			want++
		}
	}
	if len(lines) != want {
		t.Fatalf("guest %q printed %d lines, want %d:\n%s\nstderr:\n%s", args, len(lines), want, out, stderr.String())
	}
	return lines
}

// script joins commands into guest arguments.
func script(cmds ...[]string) []string {
	var args []string
	for i, c := range cmds {
		if i > 0 {
			args = append(args, ";")
		}
		args = append(args, c...)
	}
	return args
}

func c(args ...string) []string { return args }

// expect checks each result line against its expectation: "ok" and "err"
// match any success or failure, anything else must be a prefix.
func expect(t *testing.T, cmds [][]string, got []string, want ...string) {
	t.Helper()
	for i, w := range want {
		g := got[i]
		ok := strings.HasPrefix(g, w)
		if w == "ok" || w == "err" {
			ok = g == w || strings.HasPrefix(g, w+":")
		}
		if !ok {
			t.Errorf("%q: got %q, want %q", cmds[i], g, w)
		}
	}
}

func TestGuestCannotEscape(t *testing.T) {
	s := newSandbox(t)
	before := s.outside(t)
	fsys := newFS(t, s.dir, 1<<20)

	cmds := [][]string{
		// Go's os cleans these lexically to container paths that do not exist.
		c("read", "/../secret.txt"),
		c("read", "../secret.txt"),
		c("read", "../../../../../../etc/passwd"),
		// Raw WASI path_open, no cleaning by Go: wazero refuses with EPERM (63).
		c("rawopen", "../secret.txt"),
		c("rawopen", "hello.txt/../../secret.txt"),
		c("rawopen", "/etc/passwd"),
		// Symbolic links planted in the container pointing outside: EPERM.
		c("read", "/link-to-secret"),
		c("read", "/abs-link"),
		c("read", "/hop"),
		c("rawopen", "link-to-secret"),
		c("read", "/dir-link/inner.txt"),
		c("read", "/abs-dir-link/inner.txt"),
		c("read", "/root-link/secret.txt"),
		c("readdir", "/dir-link"),
		c("readdir", "/root-link"),
		c("stat", "/link-to-secret"),
		c("writestr", "/link-to-secret", "pwned"),
		c("writestr", "/dir-link/new.txt", "pwned"),
		c("append", "/abs-link", "pwned"),
		c("truncate", "/link-to-secret", "0"),
		c("chtimes", "/link-to-secret", "1000"),
		c("mkdirall", "/dir-link/newdir"),
		c("remove", "/dir-link/inner.txt"),
		c("rename", "/dir-link/inner.txt", "/stolen.txt"),
		c("rename", "/hello.txt", "/dir-link/hello.txt"),
		// Symbolic links the guest creates.
		c("symlink", "../secret.txt", "/mylink"),
		c("symlink", "/etc/passwd", "/mylink"),
		c("symlink", "sub/../../secret.txt", "/mylink"),
		c("read", "/mylink"),
		c("symlink", "link-to-secret", "/chain"), // allowed: points inside...
		c("read", "/chain"),                      // ...but resolves outside: refused
		c("symlink", "dir-link", "/dirchain"),
		c("read", "/dirchain/inner.txt"),
		c("readlink", "/chain"),
		// Hard links.
		c("link", "/hello.txt", "/hard"),
		c("link", "/link-to-secret", "/hard"),
		c("removeall", "/dir-link/"),
	}
	got := runGuest(t, fsys, script(cmds...)...)
	const eperm = "err:errno=63"
	expect(t, cmds, got,
		"err:open /../secret.txt: No such file or directory",
		"err:open ../secret.txt: No such file or directory",
		"err:open ../../../../../../etc/passwd: No such file or directory",
		eperm, eperm, eperm,
		"err:open /link-to-secret: Operation not permitted",
		"err:open /abs-link: Operation not permitted",
		"err:open /hop: Operation not permitted",
		eperm,
		"err:open /dir-link/inner.txt: Operation not permitted",
		"err:open /abs-dir-link/inner.txt: Operation not permitted",
		"err:open /root-link/secret.txt: Operation not permitted",
		"err:open /dir-link: Operation not permitted",
		"err:open /root-link: Operation not permitted",
		"err:stat /link-to-secret: Operation not permitted",
		"err:open /link-to-secret: Operation not permitted",
		"err:open /dir-link/new.txt: Operation not permitted",
		"err:open /abs-link: Operation not permitted",
		"err",
		"err",
		"err",
		"err",
		"err",
		"err",
		"err:symlink ../secret.txt /mylink: Operation not permitted",
		"err:symlink /etc/passwd /mylink: Operation not permitted",
		"err:symlink sub/../../secret.txt /mylink: Operation not permitted",
		"err:open /mylink: No such file or directory",
		"ok",
		"err:open /chain: Operation not permitted",
		"ok",
		"err:open /dirchain/inner.txt: Operation not permitted",
		"ok:link-to-secret",
		"err:link /hello.txt /hard: Operation not permitted",
		"err",
		"ok", // removes the planted link itself, not its target
	)
	if after := s.outside(t); after != before {
		t.Errorf("outside of the container changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if _, err := os.Lstat(filepath.Join(s.dir, "dir-link")); !os.IsNotExist(err) {
		t.Errorf("planted dir-link still present: %v", err)
	}
}

func TestGuestQuota(t *testing.T) {
	s := newSandbox(t) // hello.txt: 11 bytes
	const quota = 64 << 10
	fsys := newFS(t, s.dir, quota)

	cmds := [][]string{
		c("write", "/big", "100000"),
		c("stat", "/big"),
		c("fill", "/fill", "4096"),
		c("write", "/more", "1"),
		c("mkdir", "/d"),
		c("truncate", "/fill", "1000"),
		c("truncate", "/fill", "1000000"),
		c("write", "/more", "10"),
		c("remove", "/fill"),
		c("write", "/big", "60000"),
		c("writestr", "/big", "small"),
		c("stat", "/big"),
	}
	got := runGuest(t, fsys, script(cmds...)...)
	// wazero has no ENOSPC (see ErrnoQuotaExceeded): the guest sees EIO.
	const denied = "I/O error"
	expect(t, cmds, got,
		"err:write /big: "+denied, // refused as a whole...
		"ok:size=0 dir=false",     // ...nothing partially written
		// 15 whole 4 KiB blocks fit next to hello.txt and /big; the 16th
		// would exceed the quota by 11 bytes and is refused entirely.
		"ok:61440:write /fill: "+denied,
		"ok", // 65451 + 1 <= 65536
		"ok",
		"ok",
		"err:truncate /fill: "+denied,
		"ok",
		"ok",
		"ok",
		"ok",
		"ok:size=5 dir=false",
	)
	if got := fsys.Usage(); got != diskUsage(t, s.dir) || got != 11+5+10 {
		t.Errorf("Usage() = %d, on disk %d, want %d", got, diskUsage(t, s.dir), 11+5+10)
	}
	if fsys.QuotaDenials() != 3 {
		t.Errorf("QuotaDenials() = %d, want 3", fsys.QuotaDenials())
	}
}

func TestGuestNormalIO(t *testing.T) {
	s := newSandbox(t)
	fsys := newFS(t, s.dir, 1<<20)
	cmds := [][]string{
		c("read", "/hello.txt"),
		c("read", "hello.txt"),
		c("mkdirall", "/a/b/c"),
		c("writestr", "/a/b/c/f.txt", "data"),
		c("append", "/a/b/c/f.txt", "+more"),
		c("pwrite", "/a/b/c/f.txt", "1", "AT"),
		c("read", "/a/b/c/f.txt"),
		c("seekread", "/a/b/c/f.txt", "4", "3"),
		c("readdir", "/a/b"),
		c("rename", "/a/b/c/f.txt", "/a/g.txt"),
		c("rename", "/a/b", "/a/bb"),
		c("readdir", "/a"),
		c("symlink", "g.txt", "/a/alias"),
		c("symlink", "bb", "/a/dirlink"),
		c("read", "/a/alias"),
		c("readdir", "/a/dirlink"),
		c("chtimes", "/a/g.txt", "1234567890"),
		c("stat", "/a/g.txt"),
		c("truncate", "/a/g.txt", "2"),
		c("read", "/a/g.txt"),
		c("remove", "/a/bb"),
		c("remove", "/a/bb/c"),
		c("removeall", "/a"),
		c("readdir", "/"),
		c("env"),
	}
	got := runGuest(t, fsys, script(cmds...)...)
	expect(t, cmds, got,
		`ok:"hello world"`,
		`ok:"hello world"`,
		"ok", "ok", "ok", "ok",
		`ok:"dATa+more"`,
		`ok:"+mo"`,
		"ok:c/",
		"ok", "ok",
		"ok:bb/,g.txt",
		"ok", "ok",
		`ok:"dATa+more"`,
		"ok:c/",
		"ok",
		"ok:size=9 dir=false mtime=1234567890",
		"ok",
		`ok:"dA"`,
		"err:remove /a/bb: Directory not empty",
		"ok", "ok",
		"ok:abs-dir-link,abs-link,dir-link,hello.txt,hop,link-to-secret,root-link",
		"ok:0:", // the guest sees no environment variables
	)
	if _, err := os.Stat(filepath.Join(s.dir, "a")); !os.IsNotExist(err) {
		t.Errorf("/a still on disk: %v", err)
	}
	if got := fsys.Usage(); got != diskUsage(t, s.dir) || got != 11 {
		t.Errorf("Usage() = %d, on disk %d, want 11", got, diskUsage(t, s.dir))
	}
}
