package bundle

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBuildRebuildsADamagedCachedModule cuts the cached build of an app
// short, then extends it by a byte: each time the next Build builds the
// module again and replaces the damaged file, where it used to hand the
// damaged bytes on as cached (every later load failing with "truncated or
// corrupt ... rebuild it" until the user thought of --rebuild).
func TestBuildRebuildsADamagedCachedModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go app three times")
	}
	ctx := context.Background()
	dir := newApp(t)
	opts := BuildOptions{CacheDir: t.TempDir()}
	good, first, err := Build(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !wholeModule(good) {
		t.Fatal("wholeModule refuses a fresh build")
	}
	for name, damaged := range map[string][]byte{
		"cut short": good[:len(good)/2],
		"extended":  append(append([]byte(nil), good...), 0),
	} {
		if err := os.WriteFile(first.Path, damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		data, info, err := Build(ctx, dir, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if info.Cached || !bytes.Equal(data, good) {
			t.Errorf("%s: Build = %d bytes, cached %v; want the %d bytes built again", name, len(data), info.Cached, len(good))
		}
		if onDisk, err := os.ReadFile(first.Path); err != nil || !bytes.Equal(onDisk, good) {
			t.Errorf("%s: the cache still holds %d damaged bytes (%v)", name, len(onDisk), err)
		}
	}
}

// TestWholeModule: the header alone is a whole module; a section that
// runs past the end, a size that does not fit five bytes, or a missing
// version is not.
func TestWholeModule(t *testing.T) {
	t.Parallel()
	head := "\x00asm\x01\x00\x00\x00"
	for in, want := range map[string]bool{
		head:                                  true,
		head + "\x01\x04\x01\x60\x00\x00":     true,
		head + "\x01\x05\x01\x60\x00\x00":     false,
		head + "\x01\x03\x01\x60\x00\x00":     false,
		head + "\x00\xff\xff\xff\xff\xff\x01": false,
		head + "\x01":                         false,
		"\x00asm":                             false,
		"":                                    false,
	} {
		if got := wholeModule([]byte(in)); got != want {
			t.Errorf("wholeModule(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestCacheRecordFIFO puts a FIFO where a digest record and a build stamp
// go: each is ignored at once, as a missing record is, where os.ReadFile
// waited forever for a writer.
func TestCacheRecordFIFO(t *testing.T) {
	t.Parallel()
	cache, src := t.TempDir(), t.TempDir()
	opts := BuildOptions{CacheDir: cache, GoCmd: "go"}
	paths := map[string]string{
		"digest record": digestPath(cache, filepath.Join(cache, "x.wasm")),
		"stamp":         stampPath(src, opts),
	}
	for name, path := range paths {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		done := make(chan bool, 1)
		go func() {
			if name == "stamp" {
				_, _, _, ok := readStamp(src, opts)
				done <- ok
				return
			}
			_, ok := readDigest(cache, filepath.Join(cache, "x.wasm"))
			done <- ok
		}()
		select {
		case ok := <-done:
			if ok {
				t.Errorf("%s: a FIFO was taken as a record", name)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: reading a FIFO did not return in 20 s", name)
		}
	}
}

// TestBuildRefusesASourceThatIsNotAFile: a bundle whose assembly file is
// a link to /dev/zero (the go command's listing reads only its first
// bytes) is refused with the file's name and what it is. Hashing the
// sources used to read it whole: the host died of an out-of-memory fatal
// error (under a 3 GB ulimit, after 11 s).
func TestBuildRefusesASourceThatIsNotAFile(t *testing.T) {
	t.Parallel()
	dir := newApp(t)
	zero := filepath.Join(dir, "zero_wasm.s")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Skip("no /dev/zero link here:", err)
	}
	_, _, err := Build(context.Background(), dir, BuildOptions{CacheDir: t.TempDir()})
	want := zero + ": the source file is a character device, not a regular file; the go command builds from regular files only"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Build = %v; want an error containing %q", err, want)
	}
}
