package fuzz

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/watchbox/watchbox/host/input"
)

// Corpus files are Go's fuzzing corpus format, so that a corpus directory
// is also a testdata/fuzz/FuzzX directory: the first line is exactly
// "go test fuzz v1", then one Go literal per argument; watchbox inputs
// have one []byte argument.
const corpusHeader = "go test fuzz v1"

// MaxCorpus caps the inputs a campaign keeps in memory, those it loads
// from the corpus directory included.
const MaxCorpus = 10000

// MaxCorpusFile caps the size of one corpus file: an input is at most
// MaxInput bytes, which quote to about 4 KiB at worst. Chosen here, far
// above that, for corpus files written by hand or by another tool; a
// larger file is skipped with a warning rather than read whole.
const MaxCorpusFile = 1 << 20

// corpusFile is how input.Read names and caps a corpus file.
var corpusFile = input.Kind{Name: "corpus file", Max: MaxCorpusFile}

// EncodeCorpusFile returns input as a "go test fuzz v1" file.
func EncodeCorpusFile(input []byte) []byte {
	return []byte(corpusHeader + "\n[]byte(" + strconv.Quote(string(input)) + ")\n")
}

// DecodeCorpusFile parses a "go test fuzz v1" file with one []byte (or
// string) argument.
func DecodeCorpusFile(data []byte) ([]byte, error) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	if len(lines) == 0 || strings.TrimRight(lines[0], "\r") != corpusHeader {
		return nil, fmt.Errorf("not a Go fuzzing corpus file: the first line must be %q", corpusHeader)
	}
	var args []string
	for _, l := range lines[1:] {
		if l = strings.TrimSpace(l); l != "" {
			args = append(args, l)
		}
	}
	if len(args) != 1 {
		return nil, fmt.Errorf("corpus file has %d values; watchbox inputs have one []byte value", len(args))
	}
	lit := args[0]
	for _, prefix := range []string{"[]byte(", "string("} {
		if strings.HasPrefix(lit, prefix) && strings.HasSuffix(lit, ")") {
			s, err := strconv.Unquote(lit[len(prefix) : len(lit)-1])
			if err != nil {
				return nil, fmt.Errorf("corpus value %.40s: %w", lit, err)
			}
			return []byte(s), nil
		}
	}
	return nil, fmt.Errorf("corpus value %.40s is not a []byte(...) literal", lit)
}

// inputName is the file name of an input: its hash, as Go names them.
func inputName(input []byte) string {
	sum := sha256.Sum256(input)
	return hex.EncodeToString(sum[:8])
}

// entry is a corpus input and the decisions its bytes made in its run.
type entry struct {
	data []byte
	mods []uint16
}

// corpus is the inputs that reached new coverage, shared by the workers,
// with the coverage seen so far (AFL's "virgin" map of hit-count bucket
// bits).
type corpus struct {
	mu     sync.Mutex
	inputs []*entry
	// fresh are the inputs that reached new edges (not only new
	// buckets), most recent last: mutations favour them, so that a chain
	// of conditions is followed before the noise of hit counts buries it.
	fresh []*entry
	names map[string]bool
	seen  []byte // per edge, the buckets seen
	edges int
	dir   string // where new inputs are written; "" keeps them in memory
}

func newCorpus(dir string) *corpus {
	return &corpus{names: map[string]bool{}, seen: make([]byte, 1<<16), dir: dir}
}

// load reads the corpus files of dir, in name order, up to MaxCorpus
// inputs. A file that is not a corpus file (it does not parse, it is not
// a regular file, or it is over MaxCorpusFile) is skipped, and so is
// every file past the cap: skipped says which and why, one line each, for
// the campaign to warn about.
func (c *corpus) load(dir string) (loaded int, skipped []string, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil, nil
	}
	if errors.Is(err, syscall.ENOTDIR) {
		return 0, nil, fmt.Errorf("fuzz: --corpus %s is not a directory: give the directory of corpus files (created if missing)", dir)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("fuzz: reading corpus %s: %w", dir, err)
	}
	for i, e := range entries {
		if e.IsDir() {
			continue
		}
		c.mu.Lock()
		full := len(c.inputs) >= MaxCorpus
		c.mu.Unlock()
		if full {
			skipped = append(skipped, fmt.Sprintf("%s: %d more corpus file(s) from %s on not loaded: a campaign keeps at most %d inputs",
				dir, len(entries)-i, e.Name(), MaxCorpus))
			break
		}
		path := filepath.Join(dir, e.Name())
		// input.Read: a FIFO in the directory must not block the
		// campaign, nor /dev/zero behind a link fill the memory.
		data, err := input.Read(path, corpusFile)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: skipped: %s", path, input.Reason(err)))
			continue
		}
		in, err := DecodeCorpusFile(data)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: skipped: %v", path, err))
			continue
		}
		c.mu.Lock()
		if !c.names[inputName(in)] {
			c.names[inputName(in)] = true
			c.inputs = append(c.inputs, &entry{data: in})
			loaded++
		}
		c.mu.Unlock()
	}
	return loaded, skipped, nil
}

// bucket is the hit-count class of a counter, as one bit (AFL's buckets:
// 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128-255).
func bucket(n byte) byte {
	switch {
	case n == 0:
		return 0
	case n == 1:
		return 1
	case n == 2:
		return 2
	case n == 3:
		return 4
	case n < 8:
		return 8
	case n < 16:
		return 16
	case n < 32:
		return 32
	case n < 128:
		return 64
	}
	return 128
}

// interesting reports whether cov has an edge or a bucket not seen yet;
// it does not record them.
func (c *corpus) interesting(cov []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := 0; i < len(cov); i += 8 {
		if i+8 <= len(cov) && binary.LittleEndian.Uint64(cov[i:]) == 0 {
			continue // most of the map is zero: 8 counters at a time
		}
		for j := i; j < min(i+8, len(cov)); j++ {
			if n := cov[j]; n != 0 && c.seen[j]&bucket(n) == 0 {
				return true
			}
		}
	}
	return false
}

// add records cov as seen and keeps input, saving it to the corpus
// directory. It reports whether the input brought anything new (another
// worker may have brought it first).
func (c *corpus) add(input []byte, mods []uint16, cov []byte) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	news, edges := false, false
	for i, n := range cov {
		if n == 0 {
			continue
		}
		if b := bucket(n); c.seen[i]&b == 0 {
			if c.seen[i] == 0 {
				c.edges++
				edges = true
			}
			c.seen[i] |= b
			news = true
		}
	}
	name := inputName(input)
	if !news || c.names[name] || len(c.inputs) >= MaxCorpus {
		return news, nil
	}
	c.names[name] = true
	kept := &entry{data: append([]byte(nil), input...), mods: append([]uint16(nil), mods...)}
	c.inputs = append(c.inputs, kept)
	if edges {
		c.fresh = append(c.fresh, kept)
		if len(c.fresh) > freshInputs {
			c.fresh = c.fresh[1:]
		}
	}
	if c.dir != "" {
		if err := writeFileAtomic(filepath.Join(c.dir, name), EncodeCorpusFile(input)); err != nil {
			return true, err
		}
	}
	return true, nil
}

// freshInputs is how many of the latest inputs with new edges pick
// favours.
const freshInputs = 8

// pick returns a corpus input chosen with n, or nil when empty: half the
// time the latest input that reached new edges, a quarter of the time one
// of the latest few, else any.
func (c *corpus) pick(n uint64) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.inputs) == 0 {
		return nil
	}
	if len(c.fresh) > 0 {
		switch n & 3 {
		case 0, 1:
			return c.fresh[len(c.fresh)-1]
		case 2:
			return c.fresh[(n>>2)%uint64(len(c.fresh))]
		}
	}
	return c.inputs[(n>>2)%uint64(len(c.inputs))]
}

func (c *corpus) size() (inputs, edges int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.inputs), c.edges
}

// writeFileAtomic writes data to path through a temporary file, so that
// another process merging the directory never reads half a file.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil && cerr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil || cerr != nil {
		os.Remove(f.Name())
		return errors.Join(werr, cerr)
	}
	return nil
}
