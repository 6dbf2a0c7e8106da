// Package input reads the files a user hands to watchbox (manifests, push
// files, scenarios, profiles, data files and modules) safely: only regular
// files, never more than a cap per kind of file.
//
// os.ReadFile trusts the file: /dev/zero grows the process until the kernel
// kills it, and a FIFO with no writer blocks forever. Read opens without
// blocking, refuses anything but a regular file, and stops one byte past
// the kind's cap, so a bad file costs at most its cap in memory and time.
package input

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Kind is a kind of input file and the most bytes one may hold.
type Kind struct {
	Name string // what the file is, for errors: "manifest", "push file"
	Max  int64  // the cap in bytes
}

// The kinds of file watchbox reads, with their caps. None is a watchOS
// number; each is chosen here, far above what a real file of the kind
// needs, and listed in docs/design.md.
var (
	// Manifest caps watchapp.json: its largest part, settings, is at most
	// 16 KiB.
	Manifest = Kind{"manifest", 1 << 20}
	// Profile caps a device profile file, a flat JSON object of numbers.
	Profile = Kind{"profile", 1 << 20}
	// Scenario caps a scenario file.
	Scenario = Kind{"scenario", 8 << 20}
	// Data caps a data file a scenario or a command names (a phone
	// payload, a forecast served to downloads).
	Data = Kind{"data file", 16 << 20}
	// Module caps a WebAssembly module given as a file.
	Module = Kind{"module", 256 << 20}
)

// Push is the kind of an .apns push file whose limit is limit bytes: the
// push payload limit of the device profile applies to the whole file.
func Push(limit int) Kind { return Kind{"push file", int64(limit)} }

// TooLargeError is the error of a file over its kind's cap.
type TooLargeError struct {
	Path string
	Kind Kind
	Size int64 // the file's size as stat reports it, or Max+1 when unknown
}

func (e *TooLargeError) Error() string { return e.Path + ": " + e.Reason() }

// Reason is the error without the path, for callers that name the file
// their own way.
func (e *TooLargeError) Reason() string {
	return fmt.Sprintf("the %s is %s, over the %s a %s may be", e.Kind.Name, Size(e.Size), Size(e.Kind.Max), e.Kind.Name)
}

// NotRegularError is the error of a path that is not a regular file (a
// directory, a device, a FIFO or a socket).
type NotRegularError struct {
	Path string
	Kind Kind
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string { return e.Path + ": " + e.Reason() }

// Reason is the error without the path, for callers that name the file
// their own way.
func (e *NotRegularError) Reason() string {
	return fmt.Sprintf("the %s is %s, not a regular file", e.Kind.Name, describe(e.Mode))
}

// Reason returns err's text without the path when err is one of this
// package's errors, and err.Error() otherwise.
func Reason(err error) string {
	var big *TooLargeError
	var odd *NotRegularError
	switch {
	case errors.As(err, &big):
		return big.Reason()
	case errors.As(err, &odd):
		return odd.Reason()
	}
	return err.Error()
}

// Read returns the contents of the regular file at path, or an error if it
// is not a regular file or holds more than k.Max bytes. Errors of opening
// the file are the *fs.PathError of os.Open, so errors.Is(err,
// fs.ErrNotExist) still works.
func Read(path string, k Kind) ([]byte, error) {
	f, _, err := Open(path, k)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, k.Max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > k.Max { // it grew since the stat
		return nil, &TooLargeError{Path: path, Kind: k, Size: k.Max + 1}
	}
	return data, nil
}

// Open opens the regular file at path for reading, for a caller that reads
// it its own way (in a stream, or mapped), and returns it with its size.
// Its errors are Read's; a k.Max of 0 sets no cap, for a caller that never
// holds the whole file.
func Open(path string, k Kind) (*os.File, int64, error) {
	// O_NONBLOCK: opening a FIFO with no writer must not hang; it has no
	// effect on a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
	case !fi.Mode().IsRegular():
		err = &NotRegularError{Path: path, Kind: k, Mode: fi.Mode()}
	case k.Max > 0 && fi.Size() > k.Max:
		err = &TooLargeError{Path: path, Kind: k, Size: fi.Size()}
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// Hash returns the SHA-256 of the regular file at path, read as a stream
// (so a file of any size costs no more memory than a buffer), with Open's
// errors.
func Hash(path string, k Kind) (sum [sha256.Size]byte, err error) {
	f, _, err := Open(path, k)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, fmt.Errorf("reading %s: %w", path, err)
	}
	h.Sum(sum[:0])
	return sum, nil
}

// LineCol returns the 1-based line and column (in bytes) of offset in
// data, as errors about an input file give them (FILE:LINE:COL). An
// offset outside data is taken as its nearest end.
func LineCol(data []byte, offset int) (line, col int) {
	offset = min(max(offset, 0), len(data))
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = offset - bytes.LastIndexByte(before, '\n')
	return line, col
}

// IsTooLarge reports whether err is a file over its cap.
func IsTooLarge(err error) bool {
	var e *TooLargeError
	return errors.As(err, &e)
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file (" + m.Type().String() + ")"
}

// Size formats n bytes for people: "4096 bytes", "1 MiB", "1.5 GiB".
func Size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	v, suffixes := float64(n), []string{"KiB", "MiB", "GiB", "TiB"}
	i := -1
	for v >= unit && i < len(suffixes)-1 {
		v /= unit
		i++
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %s", int64(v), suffixes[i])
	}
	return fmt.Sprintf("%.1f %s", v, suffixes[i])
}
