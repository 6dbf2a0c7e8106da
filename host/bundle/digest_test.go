//go:build linux

package bundle

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// moduleBundle writes a "module" bundle whose module is wasm, and returns
// its directory and the module's path.
func moduleBundle(t *testing.T, wasm []byte) (string, string) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		ManifestFile: `{"CFBundleIdentifier": "dev.watchbox.t", "CFBundleDisplayName": "T", "abiVersion": 1, "module": "app.wasm"}`,
		"app.wasm":   string(wasm),
	})
	abs, err := filepath.Abs(filepath.Join(dir, "app.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, abs
}

// trust records the digest of the file at path as if it had been read
// long after its last change (a record is not written for a file changed
// within stampSlack), and returns the file's SHA-256.
func trust(t *testing.T, cache, path string, sum [sha256.Size]byte) {
	t.Helper()
	id, ok := statID(path)
	if !ok {
		t.Fatalf("no identity for %s", path)
	}
	writeDigest(cache, path, id, sum, time.Now().Add(time.Hour))
	if _, err := os.Stat(digestPath(cache, path)); err != nil {
		t.Fatalf("no digest record written: %v", err)
	}
}

var (
	moduleA = []byte("\x00asm\x01\x00\x00\x00" + "\x00\x04\x03one")  // a custom section "one"
	moduleB = []byte("\x00asm\x01\x00\x00\x00" + "\x00\x04\x03two")  // the same size as moduleA
	moduleC = []byte("\x00asm\x01\x00\x00\x00" + "\x00\x05\x04four") // another size
)

// TestLocateDigest: a module whose digest record holds is not read (its
// hash comes from the record), and Bytes then reads it and finds the
// same hash; a record is not written for a file that just changed.
func TestLocateDigest(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
	dir, path := moduleBundle(t, moduleA)
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, info, err := b.Locate(ctx, BuildOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if m.data == nil || m.Sum != sha256.Sum256(moduleA) || !info.Prebuilt || info.Path != path {
		t.Fatalf("first Locate: read %v, sum ok %v, info %+v", m.data != nil, m.Sum == sha256.Sum256(moduleA), info)
	}
	if _, err := os.Stat(digestPath(cache, path)); err == nil {
		t.Error("a digest record was written for a file changed just now")
	}
	trust(t, cache, path, sha256.Sum256(moduleA))
	m, info, err = b.Locate(ctx, BuildOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if m.data != nil || m.Sum != sha256.Sum256(moduleA) {
		t.Fatalf("Locate with a digest record: read %v, sum ok %v", m.data != nil, m.Sum == sha256.Sum256(moduleA))
	}
	if data, err := m.Bytes(); err != nil || string(data) != string(moduleA) || m.Sum != sha256.Sum256(moduleA) {
		t.Errorf("Bytes = %q, %v; sum ok %v", data, err, m.Sum == sha256.Sum256(moduleA))
	}
	if data, _, err := b.Wasm(ctx, BuildOptions{CacheDir: cache}); err != nil || string(data) != string(moduleA) {
		t.Errorf("Wasm = %q, %v", data, err)
	}
	// Without a cache directory, a module bundle keeps no record.
	if m, _, err := b.Locate(ctx, BuildOptions{}); err != nil || m.data == nil {
		t.Errorf("Locate without a cache directory: read %v, %v", m != nil && m.data != nil, err)
	}
}

// TestDigestRecordNotTaken: a record is not taken for a file replaced by
// one of the same size and modification time (its change time or inode
// differ), or another size, or when the record is damaged or names
// another file.
func TestDigestRecordNotTaken(t *testing.T) {
	for name, change := range map[string]func(t *testing.T, cache, path string){
		"rewritten in place, same size and mtime": func(t *testing.T, cache, path string) {
			fi, _ := os.Stat(path)
			time.Sleep(10 * time.Millisecond) // a later change time on coarse clocks
			if err := os.WriteFile(path, moduleB, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		},
		"replaced by rename": func(t *testing.T, cache, path string) {
			fi, _ := os.Stat(path)
			tmp := path + ".new"
			if err := os.WriteFile(tmp, moduleB, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		},
		"another size": func(t *testing.T, cache, path string) {
			if err := os.WriteFile(path, moduleC, 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"damaged record": func(t *testing.T, cache, path string) {
			rec := digestPath(cache, path)
			data, err := os.ReadFile(rec)
			if err != nil {
				t.Fatal(err)
			}
			// One digit of the recorded sum changed: the record's check
			// tells.
			i := strings.Index(string(data), `"Sum":"`) + len(`"Sum":"`)
			bad := []byte(string(data))
			if bad[i] == '0' {
				bad[i] = '1'
			} else {
				bad[i] = '0'
			}
			if err := os.WriteFile(rec, []byte(bad), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"record of another file": func(t *testing.T, cache, path string) {
			other := filepath.Join(filepath.Dir(path), "other.wasm")
			if err := os.WriteFile(other, moduleB, 0o644); err != nil {
				t.Fatal(err)
			}
			trust(t, cache, other, sha256.Sum256(moduleB))
			data, err := os.ReadFile(digestPath(cache, other))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(digestPath(cache, path), data, 0o644); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			cache := t.TempDir()
			dir, path := moduleBundle(t, moduleA)
			trust(t, cache, path, sha256.Sum256(moduleA))
			change(t, cache, path)
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			m, _, err := b.Locate(context.Background(), BuildOptions{CacheDir: cache})
			if err != nil {
				t.Fatal(err)
			}
			if m.data == nil || string(m.data) != string(want) || m.Sum != sha256.Sum256(want) {
				t.Errorf("the record was taken: read %v, sum ok %v", m.data != nil, m.Sum == sha256.Sum256(want))
			}
		})
	}
}

// TestDigestRecordThatLies: a sound record whose hash is not the file's
// (it cannot be told without reading the file) gives its hash to Locate;
// when the bytes are read, Bytes hashes them, corrects Sum and drops the
// record, so the next Locate reads the file.
func TestDigestRecordThatLies(t *testing.T) {
	cache := t.TempDir()
	dir, path := moduleBundle(t, moduleA)
	trust(t, cache, path, sha256.Sum256(moduleB))
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := b.Locate(context.Background(), BuildOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if m.data != nil || m.Sum != sha256.Sum256(moduleB) {
		t.Fatalf("Locate: read %v, sum is the record's %v", m.data != nil, m.Sum == sha256.Sum256(moduleB))
	}
	if data, err := m.Bytes(); err != nil || string(data) != string(moduleA) || m.Sum != sha256.Sum256(moduleA) {
		t.Errorf("Bytes = %q, %v; sum corrected %v", data, err, m.Sum == sha256.Sum256(moduleA))
	}
	m, _, err = b.Locate(context.Background(), BuildOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if m.data == nil || m.Sum != sha256.Sum256(moduleA) {
		t.Errorf("Locate after the lie was found: read %v, sum ok %v", m.data != nil, m.Sum == sha256.Sum256(moduleA))
	}
	if data, _, err := b.Wasm(context.Background(), BuildOptions{CacheDir: cache}); err != nil || string(data) != string(moduleA) {
		t.Errorf("Wasm = %q, %v", data, err)
	}
}
