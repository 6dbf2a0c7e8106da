package bundle

import (
	"crypto/sha256"
	"os"
	"time"

	"github.com/watchbox/watchbox/host/input"
)

// Module is a bundle's WebAssembly module as [Bundle.Locate] finds it: its
// file and its SHA-256, and its bytes, which are read only when asked for.
// A load whose meter cache holds the module's metered form needs only the
// hash, which a digest record gives without reading the file (see digest).
// A Module is for one goroutine.
type Module struct {
	// Path is the file the module is read from: the bundle's .wasm file
	// or the build cache's entry. It is empty for bytes that are in no
	// file (a build whose sources changed while it ran).
	Path string
	// Sum is the SHA-256 of the module's bytes. Bytes may correct it (see
	// there): compare it before and after.
	Sum [sha256.Size]byte

	data     []byte
	cacheDir string // where Path's digest record goes; "" for none
}

// NewModule returns the Module of bytes already read (from path, for
// messages; it may be empty), hashing them.
func NewModule(path string, data []byte) *Module {
	return &Module{Path: path, Sum: sha256.Sum256(data), data: data}
}

// Bytes returns the module's bytes, reading them from Path the first time
// (with the caps of input.Module). Bytes read from the file are hashed:
// when they do not match Sum (a digest record that lied, or a file
// changed in place without any trace in its metadata), Sum is set to
// their hash and the record rewritten, so the caller goes on with the
// module as it is, as a load before digest records did.
func (m *Module) Bytes() ([]byte, error) {
	if m.data != nil {
		return m.data, nil
	}
	start := time.Now()
	before, known := statID(m.Path)
	data, err := input.Read(m.Path, input.Module)
	if err != nil {
		return nil, err
	}
	m.data = data
	if sum := sha256.Sum256(data); sum != m.Sum {
		m.Sum = sum
		if m.cacheDir != "" {
			// The record lied: drop it, and record the truth if it can be
			// trusted yet.
			os.Remove(digestPath(m.cacheDir, m.Path))
			if known {
				writeDigest(m.cacheDir, m.Path, before, sum, start)
			}
		}
	}
	return data, nil
}
