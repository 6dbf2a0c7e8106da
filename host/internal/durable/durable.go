// Package durable writes and reads the files that must survive the host
// dying (an app's saved system state): each file is replaced whole and
// crash-consistently, carries a format version, its length and a
// checksum, and is read back with a clear error when it is truncated,
// corrupt or newer than this watchbox.
//
// A write is the classic crash-safe replace: write a temporary file in the
// same directory, fsync it, rename it over the target, fsync the
// directory. A reader sees the old file or the new one, never a mix; a
// failed write leaves the old file as it was. No embedded store is used:
// a state file is small (at most MaxSize), written whole and read once at
// start, which is what a rename gives at the cost of two fsyncs, without a
// dependency that keeps a lock, a free list and a file that never shrinks.
package durable

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/watchbox/watchbox/host/input"
)

// Version is the format version this watchbox writes and the newest it
// reads.
const Version = 1

// MaxSize is the most bytes a state file may hold, header included: an
// app's state is bounded by the profile's caps (64 pending notifications
// of at most 64 KiB each, a few other requests of at most 64 KiB), well
// under it. Chosen here.
const MaxSize = 32 << 20

// magic starts every state file's header line.
const magic = "watchbox-state"

// kind is how input.Read names a state file.
var kind = input.Kind{Name: "state file", Max: MaxSize}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Error is a state file that cannot be used: truncated, corrupt, or
// written by a newer watchbox. The file is left as it is.
type Error struct {
	Path    string
	Problem string // what is wrong, e.g. "is truncated: 120 of 512 bytes"
	// Newer is set when the file's format version is newer than Version;
	// FileVersion is then that version.
	Newer       bool
	FileVersion int
}

func (e *Error) Error() string {
	if e.Newer {
		return fmt.Sprintf("state file %s was written by a newer watchbox (format version %d; this one reads up to %d): run that watchbox, or move the file away to start without the saved schedules",
			e.Path, e.FileVersion, Version)
	}
	return fmt.Sprintf("state file %s %s; it was left as it is: move it away (or restore it from a backup) to start without the saved schedules",
		e.Path, e.Problem)
}

// header is the first line of a state file.
func header(body []byte) string {
	return fmt.Sprintf("%s v%d crc32c=%08x len=%d\n", magic, Version, crc32.Checksum(body, castagnoli), len(body))
}

// Encode returns body as the bytes of a state file: the header line, then
// body.
func Encode(body []byte) []byte {
	h := header(body)
	out := make([]byte, 0, len(h)+len(body))
	return append(append(out, h...), body...)
}

// Decode returns the body of data, the bytes of a state file at path (path
// only names it in errors), or an *Error.
func Decode(path string, data []byte) ([]byte, error) {
	bad := func(format string, args ...any) error {
		return &Error{Path: path, Problem: fmt.Sprintf(format, args...)}
	}
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 || nl > 200 {
		if len(data) == 0 {
			return nil, bad("is empty")
		}
		if bytes.HasPrefix(data, []byte(magic)) || bytes.HasPrefix([]byte(magic), data) {
			return nil, bad("is truncated in its header line (%d bytes)", len(data))
		}
		return nil, bad("is not a watchbox state file (no %q header line)", magic)
	}
	fields := strings.Fields(string(data[:nl]))
	if len(fields) != 4 || fields[0] != magic {
		return nil, bad("is not a watchbox state file: its header line is %q", excerpt(data[:nl]))
	}
	v, err := strconv.Atoi(strings.TrimPrefix(fields[1], "v"))
	if !strings.HasPrefix(fields[1], "v") || err != nil || v < 1 {
		return nil, bad("has a bad format version %q in its header line", excerpt([]byte(fields[1])))
	}
	if v > Version {
		return nil, &Error{Path: path, Newer: true, FileVersion: v}
	}
	sum, err1 := strconv.ParseUint(strings.TrimPrefix(fields[2], "crc32c="), 16, 32)
	n, err2 := strconv.Atoi(strings.TrimPrefix(fields[3], "len="))
	if !strings.HasPrefix(fields[2], "crc32c=") || !strings.HasPrefix(fields[3], "len=") || err1 != nil || err2 != nil || n < 0 {
		return nil, bad("has a damaged header line %q", excerpt(data[:nl]))
	}
	body := data[nl+1:]
	switch {
	case len(body) < n:
		return nil, bad("is truncated: %d of its %d bytes are there", len(body), n)
	case len(body) > n:
		return nil, bad("is corrupt: %d bytes where its header says %d", len(body), n)
	}
	if got := crc32.Checksum(body, castagnoli); got != uint32(sum) {
		return nil, bad("is corrupt: its checksum is %08x, its header says %08x", got, sum)
	}
	return body, nil
}

// excerpt quotes at most 64 bytes of b for an error.
func excerpt(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "..."
	}
	return string(b)
}

// Read returns the body of the state file at path. A missing file is an
// error for which errors.Is(err, fs.ErrNotExist) holds; a file that is not
// a regular file or over MaxSize is input's error; a bad one is an *Error.
func Read(path string) ([]byte, error) {
	data, err := input.Read(path, kind)
	if err != nil {
		return nil, err
	}
	return Decode(path, data)
}

// Write replaces the state file at path with body, crash-consistently: a
// temporary file beside it is written and fsynced, renamed over path, and
// the directory fsynced. On any error the temporary file is removed and
// the old file, if any, is left untouched; the caller writes the whole
// state again next time rather than retrying an fsync, whose second
// success means nothing on Linux (a failed writeback marks the pages
// clean).
func Write(path string, body []byte) (err error) {
	data := Encode(body)
	if len(data) > MaxSize {
		return fmt.Errorf("state file %s would be %d bytes, over the %d a state file may be", path, len(data), MaxSize)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("state file %s: writing: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("state file %s: fsync: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		// The rename happened: the new file is in place, only its
		// durability is in doubt. Report it; the next write fsyncs again.
		return fmt.Errorf("state file %s: fsync of its directory: %w", path, err)
	}
	return nil
}

// syncDir fsyncs the directory dir, so that a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}

// Remove removes the state file at path, if there is one, durably.
func Remove(path string) error {
	if err := os.Remove(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("state file %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// CleanTemps removes temporary files a write interrupted by a crash left
// beside path.
func CleanTemps(path string) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp*"))
	for _, m := range matches {
		os.Remove(m)
	}
}
