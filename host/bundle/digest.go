package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"github.com/watchbox/watchbox/host/input"
	"path/filepath"
	"time"
)

// A digest record lets a load take the SHA-256 of a module file (a
// prebuilt bundle's .wasm, or a source bundle's build in the cache)
// without reading the file: the module's meter cache entry is found by
// that hash, so on a warm load the 4.5 MB build of a Go app is neither
// read nor hashed. Like a stamp (see stamp), a record is taken only while
// the file's identity is the one recorded: size, modification and change
// times (to the nanosecond), inode, device and mode. A file written or
// replaced since changes its change time or inode, which no one can set
// back, so a change is confirmed by content, never assumed. A record is
// not written when the file changed less than stampSlack before it was
// read (a write in the same time tick could keep its times). The record
// carries a check of its own fields, so a damaged record is not taken;
// and whenever the module's bytes are read after all (the meter cache
// missed), they are hashed, and a record that lied is rewritten (see
// Module.Bytes).
type digest struct {
	Version int
	Path    string
	ID      fileID
	Sum     string // hex SHA-256 of the file's content
	Check   string // hex SHA-256 of the fields above
}

const digestVersion = 1

// maxRecord caps a digest record or build stamp read from the cache
// directory. A digest record is under 1 KiB; a stamp lists the paths a
// build read, about 7 KiB for a sample app and a few MiB for an app of
// thousands of files. Chosen here, far above both: a larger file is not a
// record watchbox wrote, and is ignored like a damaged one.
const maxRecord = 64 << 20

// recordFile is how input.Read names and caps a digest record or stamp:
// a regular file only, so that a FIFO in the cache directory cannot block
// a load.
var recordFile = input.Kind{Name: "cache record", Max: maxRecord}

// check returns the Check of d's other fields.
func (d digest) check() string {
	h := sha256.New()
	fmt.Fprintf(h, "watchbox-digest\x00%d\x00%d:%s\x00%+v\x00%s", d.Version, len(d.Path), d.Path, d.ID, d.Sum)
	return hex.EncodeToString(h.Sum(nil))
}

// digestPath is the record of path, under cacheDir/digests.
func digestPath(cacheDir, path string) string {
	sum := sha256.Sum256([]byte(path))
	return filepath.Join(cacheDir, "digests", hex.EncodeToString(sum[:16])+".json")
}

// readDigest returns the SHA-256 of the file at path (absolute) from its
// record in cacheDir, if the record is sound and the file's identity is
// the recorded one.
func readDigest(cacheDir, path string) ([sha256.Size]byte, bool) {
	var sum [sha256.Size]byte
	if cacheDir == "" {
		return sum, false
	}
	data, err := input.Read(digestPath(cacheDir, path), recordFile)
	if err != nil {
		return sum, false
	}
	var d digest
	if json.Unmarshal(data, &d) != nil || d.Version != digestVersion || d.Path != path || d.Check != d.check() {
		return sum, false
	}
	b, err := hex.DecodeString(d.Sum)
	if err != nil || len(b) != len(sum) {
		return sum, false
	}
	id, ok := statID(path)
	if !ok || id != d.ID {
		return sum, false
	}
	copy(sum[:], b)
	return sum, true
}

// writeDigest records sum for the file at path (absolute), whose identity
// was before when its content was read, starting at started. It records
// nothing when the identity changed since, when the file changed too
// recently to be trusted, or without a cacheDir; its errors are ignored:
// a missing record only costs reading and hashing the file.
func writeDigest(cacheDir, path string, before fileID, sum [sha256.Size]byte, started time.Time) {
	if cacheDir == "" {
		return
	}
	racy := started.Add(-stampSlack).UnixNano()
	if before.ModNS >= racy || before.CtimeNS >= racy {
		return
	}
	if now, ok := statID(path); !ok || now != before {
		return
	}
	d := digest{Version: digestVersion, Path: path, ID: before, Sum: hex.EncodeToString(sum[:])}
	d.Check = d.check()
	data, err := json.Marshal(d)
	if err != nil {
		return
	}
	dst := digestPath(cacheDir, path)
	if os.MkdirAll(filepath.Dir(dst), 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".digest-")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), dst) != nil {
		os.Remove(tmp.Name())
	}
}
