package meter

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/watchbox/watchbox/host/input"
)

// Cache is an on-disk cache of instrumented modules in one directory, keyed
// by the SHA-256 of the original module, the cost model and Version. It is
// safe for concurrent use by several goroutines and processes: entries are
// written to a temporary file and renamed into place, and never changed in
// place after.
//
// An entry is a header (entryMagic, the length of the module and its
// CRC-32C) followed by the instrumented module, so a truncated, torn or
// corrupted entry is found and recomputed. The check is a CRC-32C rather
// than a cryptographic hash because it guards against accidents (a torn
// write, a bad disk), not against someone who can write the cache
// directory: such a writer could as well change the machine code in
// wazero's compilation cache next to it, which wazero checks with the same
// CRC-32C. It costs about a millisecond for a Go app's 6 MB metered module,
// a SHA-256 about eight.
type Cache struct {
	dir string
}

// entryMagic starts every entry; the entries of the first format (a
// SHA-256 and the module, under names ending in -vN.wasm) are not read.
const entryMagic = "wbmeter2"

// entryHeader is the size of an entry's header: entryMagic, the module's
// length (8 bytes, little-endian) and its CRC-32C (4 bytes).
const entryHeader = len(entryMagic) + 8 + 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

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

// Key returns the name identifying a module and cost model in the cache
// (an entry's file name is derived from it).
func Key(wasm []byte, model CostModel) string {
	return KeyOf(sha256.Sum256(wasm), model)
}

// KeyOf is Key for a module given by its SHA-256, for a caller that knows
// it without the module's bytes at hand.
func KeyOf(sum [sha256.Size]byte, model CostModel) string {
	return fmt.Sprintf("%s-%s-v%d.wasm", hex.EncodeToString(sum[:]), model, Version)
}

// Entry is an instrumented module from the cache, or just made and
// stored. Its bytes may be mapped from the cache file: Close releases them,
// and they must not be used after.
type Entry struct {
	name   string
	data   []byte
	mapped []byte // the whole file, when data is a mapping of it
}

// Bytes returns the instrumented module.
func (e *Entry) Bytes() []byte { return e.data }

// Key identifies the instrumented module for sharing its compiled code
// (the SHA-256 of the entry's name, which names the original module's
// SHA-256, the cost model, Version and the extras): equal keys mean equal
// bytes, without hashing the bytes. It never equals the plain SHA-256 of
// a module's bytes.
func (e *Entry) Key() [sha256.Size]byte {
	return sha256.Sum256([]byte("watchbox-meter-entry\x00" + e.name))
}

// Close releases the entry's bytes. A second Close does nothing.
func (e *Entry) Close() error {
	m := e.mapped
	e.data, e.mapped = nil, nil
	if m != nil {
		return unmap(m)
	}
	return nil
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
	e, ok := c.Open(sha256.Sum256(wasm), model, x)
	if !ok {
		return nil, false
	}
	defer e.Close()
	return append([]byte(nil), e.Bytes()...), true
}

// Open is Lookup for the module whose SHA-256 is sum, without its bytes:
// the entry is mapped from its file where the system allows (no copy, and
// no fresh memory to fault in), and checked against its CRC-32C. The
// caller must Close it. A caller that holds sum from a record of its own
// trusts that record as it would trust the module's bytes.
func (c *Cache) Open(sum [sha256.Size]byte, model CostModel, x Extras) (*Entry, bool) {
	if model != Strict && model != Wasmtime {
		return nil, false
	}
	name := entryName(sum, model, x)
	file, mapped, err := readEntry(filepath.Join(c.dir, name))
	if err != nil {
		return nil, false
	}
	e := &Entry{name: name}
	if mapped {
		e.mapped = file
	}
	data, ok := checkEntry(file)
	if !ok {
		e.Close()
		return nil, false
	}
	e.data = data
	return e, true
}

// InstrumentEntry is InstrumentWith for a module whose SHA-256 the caller
// computed (sum must be the SHA-256 of wasm), returned as an Entry. It
// stores the result in the cache.
func (c *Cache) InstrumentEntry(wasm []byte, sum [sha256.Size]byte, model CostModel, x Extras) (*Entry, error) {
	if model != Strict && model != Wasmtime {
		return nil, fmt.Errorf("meter: %w %d", ErrUnknownCostModel, model)
	}
	name := entryName(sum, model, x)
	out, _, err := instrumentWith(wasm, model, x)
	if err != nil {
		return nil, err
	}
	c.store(name, out)
	return &Entry{name: name, data: out}, nil
}

// entryName is the file name of the entry of the module whose SHA-256 is
// sum, under model and x.
func entryName(sum [sha256.Size]byte, model CostModel, x Extras) string {
	key := strings.TrimSuffix(KeyOf(sum, model), ".wasm")
	if x.Coverage {
		key += "-cover"
	}
	if x.Coverage && x.AppCoverage {
		key += "-app"
	}
	if x.Snapshots {
		key += "-snap"
	}
	return key + ".w2"
}

// checkEntry returns the module an entry's file holds, and false when the
// file is not a sound entry: another format, a length that is not the
// file's (truncated or extended), or a checksum that does not match.
func checkEntry(file []byte) ([]byte, bool) {
	if len(file) < entryHeader || string(file[:len(entryMagic)]) != entryMagic {
		return nil, false
	}
	n := binary.LittleEndian.Uint64(file[len(entryMagic):])
	sum := binary.LittleEndian.Uint32(file[len(entryMagic)+8:])
	data := file[entryHeader:]
	if n != uint64(len(data)) || crc32.Checksum(data, castagnoli) != sum {
		return nil, false
	}
	return data, true
}

// openEntry opens the entry file at path and checks its header before
// anything maps or reads the rest: a regular file, opened without blocking
// (a FIFO left in the cache directory must not hang a load), starting with
// entryMagic, whose recorded length is the rest of the file. A file that
// fails costs the read of a header, not the mapping of the whole file (a
// 2 GiB file of zeros would otherwise fill 2 GiB of page cache). It
// returns the file, open, and its size.
func openEntry(path string) (*os.File, int, error) {
	f, size, err := input.Open(path, cacheEntry)
	if err != nil {
		return nil, 0, err
	}
	if size < int64(entryHeader) || int64(int(size)) != size {
		f.Close()
		return nil, 0, errNotEntry
	}
	var head [entryHeader]byte
	if _, err := f.ReadAt(head[:], 0); err != nil {
		f.Close()
		return nil, 0, err
	}
	if string(head[:len(entryMagic)]) != entryMagic || binary.LittleEndian.Uint64(head[len(entryMagic):]) != uint64(size)-uint64(entryHeader) {
		f.Close()
		return nil, 0, errNotEntry
	}
	return f, int(size), nil
}

// cacheEntry is how input.Open names a cache entry; no cap, as an entry is
// mapped, not read (and its header is checked first).
var cacheEntry = input.Kind{Name: "meter cache entry"}

// errNotEntry is openEntry's error for a file that is not a sound entry.
var errNotEntry = errors.New("meter: not a cache entry")

// readEntryFile reads the entry's file f of size bytes whole, where it
// cannot be mapped.
func readEntryFile(f *os.File, size int) ([]byte, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, int64(size)), b); err != nil {
		return nil, err
	}
	return b, nil
}

// encodeEntry returns the file content of the entry holding wasm.
func encodeEntry(wasm []byte) []byte {
	b := make([]byte, entryHeader, entryHeader+len(wasm))
	copy(b, entryMagic)
	binary.LittleEndian.PutUint64(b[len(entryMagic):], uint64(len(wasm)))
	binary.LittleEndian.PutUint32(b[len(entryMagic)+8:], crc32.Checksum(wasm, castagnoli))
	return append(b, wasm...)
}

// store writes the entry name holding wasm, through a temporary file
// renamed into place; a failure leaves no entry and is not reported (the
// next load instruments again).
func (c *Cache) store(name string, wasm []byte) {
	f, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := f.Write(encodeEntry(wasm))
	cerr := f.Close()
	if werr == nil && cerr == nil {
		werr = os.Rename(f.Name(), filepath.Join(c.dir, name))
	}
	if werr != nil || cerr != nil {
		_ = os.Remove(f.Name())
	}
}

func (c *Cache) instrument(wasm []byte, model CostModel, x Extras) ([]byte, error) {
	if model != Strict && model != Wasmtime {
		return nil, fmt.Errorf("meter: %w %d", ErrUnknownCostModel, model)
	}
	sum := sha256.Sum256(wasm)
	// A missing, unreadable or corrupted entry is recomputed below.
	if e, ok := c.Open(sum, model, x); ok {
		defer e.Close()
		return append([]byte(nil), e.Bytes()...), nil
	}
	e, err := c.InstrumentEntry(wasm, sum, model, x)
	if err != nil {
		return nil, err
	}
	return e.Bytes(), nil
}
