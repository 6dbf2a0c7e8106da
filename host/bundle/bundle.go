package bundle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/watchbox/watchbox/host/input"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Bundle is an opened app bundle.
type Bundle struct {
	// Dir is the bundle directory, as an absolute path.
	Dir string
	// Manifest is the bundle's validated manifest.
	Manifest Manifest
}

// Open opens the bundle in dir: it reads and validates dir/watchapp.json and
// checks that the module file or source directory it names exists and looks
// right. On failure the error is a *ManifestError listing every problem (see
// [Check]); errors.Is(err, fs.ErrNotExist) reports a missing directory or
// manifest.
func Open(dir string) (*Bundle, error) {
	b, problems := Check(dir)
	if len(problems) > 0 {
		return nil, &ManifestError{Problems: problems}
	}
	return b, nil
}

// Check is like [Open] but returns every problem found instead of an error,
// for tools such as "watchbox inspect". The bundle is returned whenever the
// manifest is a JSON object, even if it has problems; fields whose keys have
// problems then hold their defaults. File names in the problems are based on
// dir as given.
func Check(dir string) (*Bundle, []Problem) {
	fail := func(msg string, err error) (*Bundle, []Problem) {
		return nil, []Problem{{File: dir, Message: msg, Err: err}}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fail(err.Error(), err)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail("bundle directory does not exist", err)
	case err != nil:
		return fail(err.Error(), err)
	case !fi.IsDir() && filepath.Base(abs) == ManifestFile:
		return fail("is the manifest file; pass the bundle directory that contains it", nil)
	case !fi.IsDir():
		return fail(fmt.Sprintf("is a file, not a bundle directory; a bundle is a directory containing %s", ManifestFile), nil)
	}
	file := filepath.Join(dir, ManifestFile)
	data, err := input.Read(filepath.Join(abs, ManifestFile), input.Manifest)
	if errors.Is(err, fs.ErrNotExist) {
		return fail(fmt.Sprintf("no %s in the bundle directory; create %s, for example: %s", ManifestFile, file, exampleManifest), err)
	}
	if err != nil {
		return nil, []Problem{{File: file, Message: input.Reason(err), Err: err}}
	}
	p := parseManifest(data)
	if p.m == nil {
		return nil, withFile(p.problems, file)
	}
	b := &Bundle{Dir: abs, Manifest: *p.m}
	if b.Manifest.Module != "" {
		if msg := checkModuleFile(b.Dir, b.Manifest.Module); msg != "" {
			p.problem("module", "%s %s", quote(b.Manifest.Module), msg)
		}
	}
	if b.Manifest.Source != "" {
		if msg := checkSourceDir(b.Dir, b.Manifest.Source); msg != "" {
			p.problem("source", "%s %s", quote(b.Manifest.Source), msg)
		}
	}
	return b, withFile(p.problems, file)
}

func withFile(problems []Problem, file string) []Problem {
	for i := range problems {
		problems[i].File = file
	}
	return problems
}

// resolveInside resolves the slash-separated path rel inside dir, following
// symbolic links, and returns what is wrong with it or "".
func resolveInside(dir, rel string) (string, fs.FileInfo, string) {
	target := filepath.Join(dir, filepath.FromSlash(rel))
	fi, err := os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, "does not exist in the bundle directory " + dir
	}
	if err != nil {
		return "", nil, err.Error()
	}
	realDir, err1 := filepath.EvalSymlinks(dir)
	realTarget, err2 := filepath.EvalSymlinks(target)
	if err := errors.Join(err1, err2); err != nil {
		return "", nil, err.Error()
	}
	if r, err := filepath.Rel(realDir, realTarget); err != nil || !filepath.IsLocal(r) && r != "." {
		return "", nil, "leads outside the bundle directory through a symbolic link, to " + realTarget
	}
	return target, fi, ""
}

// checkModuleFile checks that the module file exists inside dir and starts
// with the WebAssembly binary header, returning what is wrong or "".
func checkModuleFile(dir, rel string) string {
	target, fi, msg := resolveInside(dir, rel)
	if msg != "" {
		return msg
	}
	if !fi.Mode().IsRegular() {
		return "is not a regular file; module names a prebuilt .wasm file"
	}
	f, err := os.Open(target)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var hdr [8]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil || !bytes.Equal(hdr[:4], []byte("\x00asm")) {
		return `is not a WebAssembly module: it does not start with "\x00asm"`
	}
	if v := binary.LittleEndian.Uint32(hdr[4:]); v != 1 {
		return fmt.Sprintf("uses WebAssembly binary format version %d; only version 1 is supported", v)
	}
	return ""
}

// checkSourceDir checks that the source directory exists inside dir and holds
// Go files, returning what is wrong or "".
func checkSourceDir(dir, rel string) string {
	target, fi, msg := resolveInside(dir, rel)
	if msg != "" {
		return msg
	}
	if !fi.IsDir() {
		return "is not a directory; source names the directory of a Go main package"
	}
	entries, err := os.ReadDir(target)
	if err != nil {
		return err.Error()
	}
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			return ""
		}
	}
	return "contains no .go files; source names the directory of a Go main package"
}
