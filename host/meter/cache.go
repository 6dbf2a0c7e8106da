package meter

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Cache is an on-disk cache of instrumented modules in one directory, keyed
// by the SHA-256 of the original module, the cost model and Version. It is
// safe for concurrent use by several goroutines and processes: entries are
// written to a temporary file and renamed into place, and each entry carries
// the SHA-256 of its content so a torn or corrupted entry is recomputed.
type Cache struct {
	dir string
}

// NewCache returns a cache in dir, creating the directory if needed.
func NewCache(dir string) (*Cache, error) {
	if dir == "" {
		return nil, errors.New("meter: empty cache directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("meter: creating cache directory: %w", err)
	}
	return &Cache{dir: dir}, nil
}

// Dir returns the cache directory.
func (c *Cache) Dir() string { return c.dir }

// Key returns the cache file name for a module and cost model.
func Key(wasm []byte, model CostModel) string {
	sum := sha256.Sum256(wasm)
	return fmt.Sprintf("%s-%s-v%d.wasm", hex.EncodeToString(sum[:]), model, Version)
}

// Instrument returns Instrument(wasm, model), from the cache when present.
// A cache that cannot be read or written degrades to instrumenting anew; only
// instrumentation errors are returned.
func (c *Cache) Instrument(wasm []byte, model CostModel) ([]byte, error) {
	return c.instrument(wasm, model, Extras{})
}

// InstrumentWith returns InstrumentWith(wasm, model, x), from the cache
// when present (under Key with a suffix naming the extras).
func (c *Cache) InstrumentWith(wasm []byte, model CostModel, x Extras) ([]byte, error) {
	return c.instrument(wasm, model, x)
}

// Lookup returns the cached InstrumentWith(wasm, model, x), and false when
// the cache has no sound entry for it (none, unreadable or corrupted).
// An entry is keyed by the SHA-256 of wasm, so a hit stands for these
// very bytes: a caller that only ever caches modules that passed its
// checks (the runtime runs Validate first) may take a hit as checked.
func (c *Cache) Lookup(wasm []byte, model CostModel, x Extras) ([]byte, bool) {
	if model != Strict && model != Wasmtime {
		return nil, false
	}
	return c.read(c.path(wasm, model, x))
}

// path is the entry of wasm, model and x.
func (c *Cache) path(wasm []byte, model CostModel, x Extras) string {
	key := Key(wasm, model)
	if x.Coverage {
		key = strings.TrimSuffix(key, ".wasm") + "-cover.wasm"
	}
	if x.Coverage && x.AppCoverage {
		key = strings.TrimSuffix(key, ".wasm") + "-app.wasm"
	}
	if x.Snapshots {
		key = strings.TrimSuffix(key, ".wasm") + "-snap.wasm"
	}
	return filepath.Join(c.dir, key)
}

// read returns the content of the entry at path, if it is sound.
func (c *Cache) read(path string) ([]byte, bool) {
	if b, err := os.ReadFile(path); err == nil && len(b) >= sha256.Size {
		sum := sha256.Sum256(b[sha256.Size:])
		if bytes.Equal(sum[:], b[:sha256.Size]) {
			return b[sha256.Size:], true
		}
	}
	return nil, false
}

func (c *Cache) instrument(wasm []byte, model CostModel, x Extras) ([]byte, error) {
	if model != Strict && model != Wasmtime {
		return nil, fmt.Errorf("meter: %w %d", ErrUnknownCostModel, model)
	}
	path := c.path(wasm, model, x)
	// A missing, unreadable or corrupted entry is recomputed below.
	if b, ok := c.read(path); ok {
		return b, nil
	}
	out, _, err := instrumentWith(wasm, model, x)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(out)
	if f, err := os.CreateTemp(c.dir, ".tmp-*"); err == nil {
		_, werr := f.Write(append(sum[:], out...))
		cerr := f.Close()
		if werr == nil && cerr == nil {
			werr = os.Rename(f.Name(), path)
		}
		if werr != nil || cerr != nil {
			_ = os.Remove(f.Name())
		}
	}
	return out, nil
}
