package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/watchbox/watchbox/host/input"
)

// A stamp lets a source bundle whose files did not change skip the go
// command: it records the content hash a full sourceHash computed (with
// go env and go list) together with the metadata (size, modification time,
// mode) of everything that hash depends on. When every recorded path still
// has the same metadata, the hash is taken from the stamp. When any
// differs, the full hash runs again (and writes a new stamp), so a change
// is confirmed by content, never assumed.
//
// What is recorded: every file the hash read, every package directory and
// each of its entries (a new, removed or edited file there, build-tagged
// or not, changes a directory's or an entry's metadata), the directories
// of embedded files, go.mod and go.work (present or missing) in the source
// directory and every directory above it (a new go.mod or go.work changes
// the module or workspace), the go command's executable and the go env
// file. The stamp's own name covers the source directory, the go command
// and the executable PATH finds for it, the build flags and every GO*
// environment variable.
//
// A stamp is not written when any recorded path was modified less than
// stampSlack before the hash started: a file edited in the same
// modification-time tick as it was hashed could keep its metadata with new
// content ("racy clean", as git calls it).
//
// A stamp also keeps what the build-time checks of the sources said
// (delegateWarnings), so that a load that takes its hash from the stamp
// repeats them without reading the sources.
type stamp struct {
	Version   int
	Hash      string
	WatchDirs []string
	Paths     []pathStat
	Warnings  []string `json:",omitempty"`
}

// pathStat is one recorded path's metadata; Mode 0 means missing.
type pathStat struct {
	Path  string
	Size  int64
	ModNS int64
	Mode  uint32
}

const (
	stampVersion = 2 // 2: with Warnings
	stampSlack   = 2 * time.Second
)

// stampPath returns the file holding the stamp of a build of srcDir with
// opts, under opts.CacheDir/stamps.
func stampPath(srcDir string, opts BuildOptions) string {
	abs, err := filepath.Abs(srcDir)
	if err != nil {
		abs = srcDir
	}
	h := sha256.New()
	put := func(s string) { fmt.Fprintf(h, "%d:%s\n", len(s), s) }
	put("watchbox-stamp-v1")
	put(abs)
	put(opts.GoCmd)
	// The go command PATH finds now: another one (PATH changed) is another
	// toolchain, which the go binary's own metadata in the stamp cannot show.
	if resolved, err := exec.LookPath(opts.GoCmd); err == nil {
		put(resolved)
	}
	for _, f := range opts.Flags {
		put(f)
	}
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GO") {
			env = append(env, kv)
		}
	}
	slices.Sort(env)
	for _, kv := range env {
		put(kv)
	}
	return filepath.Join(opts.CacheDir, "stamps", hex.EncodeToString(h.Sum(nil))+".json")
}

// statPath records path's metadata; a missing path is recorded as missing.
func statPath(path string) (pathStat, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return pathStat{Path: path}, nil
	}
	if err != nil {
		return pathStat{}, err
	}
	return pathStat{Path: path, Size: fi.Size(), ModNS: fi.ModTime().UnixNano(), Mode: uint32(fi.Mode())}, nil
}

// stampPaths lists what a stamp of a build of srcDir records: inputs (the
// files the hash read), the package directories and their entries, the
// directories of inputs below them, go.mod and go.work up the tree, the
// go command and the go env file.
func stampPaths(srcDir string, opts BuildOptions, inputs, pkgDirs []string) ([]string, error) {
	paths := slices.Clone(inputs)
	for _, d := range pkgDirs {
		paths = append(paths, d)
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			paths = append(paths, filepath.Join(d, e.Name()))
		}
	}
	// The directories between a package and its embedded files.
	for _, in := range inputs {
		for _, d := range pkgDirs {
			if rel, err := filepath.Rel(d, in); err == nil && !strings.HasPrefix(rel, "..") {
				for dir := filepath.Dir(in); len(dir) > len(d); dir = filepath.Dir(dir) {
					paths = append(paths, dir)
				}
			}
		}
	}
	abs, err := filepath.Abs(srcDir)
	if err != nil {
		return nil, err
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		paths = append(paths, filepath.Join(dir, "go.mod"), filepath.Join(dir, "go.work"))
		if filepath.Dir(dir) == dir {
			break
		}
	}
	gocmd, err := exec.LookPath(opts.GoCmd)
	if err != nil {
		return nil, err
	}
	paths = append(paths, gocmd)
	if resolved, err := filepath.EvalSymlinks(gocmd); err == nil && resolved != gocmd {
		paths = append(paths, resolved)
	}
	if env := os.Getenv("GOENV"); env != "" && env != "off" {
		paths = append(paths, env)
	} else if cfg, err := os.UserConfigDir(); err == nil && env == "" {
		paths = append(paths, filepath.Join(cfg, "go", "env"))
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}

// statPaths returns the metadata of what a stamp of a build of srcDir
// records (stampPaths).
func statPaths(srcDir string, opts BuildOptions, inputs, pkgDirs []string) ([]pathStat, error) {
	paths, err := stampPaths(srcDir, opts, inputs, pkgDirs)
	if err != nil {
		return nil, err
	}
	stats := make([]pathStat, len(paths))
	for i, p := range paths {
		if stats[i], err = statPath(p); err != nil {
			return nil, err
		}
	}
	return stats, nil
}

// readStamp returns the hash, package directories and source warnings of
// a build of srcDir if its stamp exists and every path it records is
// unchanged.
func readStamp(srcDir string, opts BuildOptions) (hash string, dirs, warnings []string, ok bool) {
	data, err := input.Read(stampPath(srcDir, opts), recordFile)
	if err != nil {
		return "", nil, nil, false
	}
	var st stamp
	if json.Unmarshal(data, &st) != nil || st.Version != stampVersion || st.Hash == "" || len(st.Paths) == 0 {
		return "", nil, nil, false
	}
	for _, p := range st.Paths {
		now, err := statPath(p.Path)
		if err != nil || now != p {
			return "", nil, nil, false
		}
	}
	return st.Hash, st.WatchDirs, st.Warnings, true
}

// writeStamp records hash (and the sources' warnings) for a build of
// srcDir, from a sourceHash that started at started and read inputs. It writes nothing when a recorded
// path changed too recently to be trusted, and its errors are ignored: a
// missing stamp only costs the go command.
func writeStamp(srcDir string, opts BuildOptions, hash string, dirs, inputs, warnings []string, started time.Time) {
	paths, err := stampPaths(srcDir, opts, inputs, dirs)
	if err != nil {
		return
	}
	st := stamp{Version: stampVersion, Hash: hash, WatchDirs: dirs, Warnings: warnings}
	racy := started.Add(-stampSlack).UnixNano()
	for _, p := range paths {
		ps, err := statPath(p)
		if err != nil || ps.ModNS >= racy {
			return
		}
		st.Paths = append(st.Paths, ps)
	}
	data, err := json.Marshal(st)
	if err != nil {
		return
	}
	path := stampPath(srcDir, opts)
	if os.MkdirAll(filepath.Dir(path), 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".stamp-")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
		os.Remove(tmp.Name())
	}
}
