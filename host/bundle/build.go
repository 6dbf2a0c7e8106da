package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/watchbox/watchbox/host/input"
	"github.com/watchbox/watchbox/internal/buildgate"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// BuildOptions control how [Bundle.Wasm] builds Go sources.
type BuildOptions struct {
	// CacheDir holds built modules, one <hash>.wasm per content hash.
	// Default: os.UserCacheDir()/watchbox/build.
	CacheDir string
	// Force rebuilds even when the cache has the module.
	Force bool
	// GoCmd is the go command. Default: "go" from PATH.
	GoCmd string
	// OnBuild, if set, is called when a build is about to start (the cache
	// has no module for the sources), with the source directory, so that a
	// front end can say why it is waiting: the first build on a machine
	// compiles the standard library for wasip1 and takes minutes.
	OnBuild func(srcDir string)
	// Flags are extra build flags such as "-tags=debug" or "-trimpath". They
	// are passed to both go list and go build and are part of the hash.
	Flags []string
	// CachedOnly makes Locate return ErrNotCached rather than run the go
	// command, for a caller that only wants a module already built and
	// whose sources' stamp holds (one preparing work ahead of a load that
	// will build if needed).
	CachedOnly bool
}

// ErrNotCached is Locate's error under BuildOptions.CachedOnly for a
// "source" bundle whose module would need the go command.
var ErrNotCached = errors.New("bundle: module not in the build cache, or its sources changed")

// BuildInfo describes where the bytes returned by [Bundle.Wasm] came from.
type BuildInfo struct {
	// Prebuilt is true for a "module" bundle: the bytes are the bundle's
	// .wasm file and nothing was built.
	Prebuilt bool
	// Cached is true when a "source" bundle was not rebuilt because the
	// cache held a module for the same content hash.
	Cached bool
	// Hash is the hex SHA-256 content hash: of the build inputs for a
	// "source" bundle, of the file for a "module" bundle.
	Hash string
	// Path is the file the bytes were read from: the cache entry or the
	// bundle's .wasm file. It is empty if the sources changed while they were
	// being built, in which case the result was not cached.
	Path string
	// Duration is the time Wasm took, including hashing and building.
	Duration time.Duration
	// Stamped is true when the content hash of a "source" bundle was taken
	// from the metadata stamp of its last build, because no input's size,
	// modification time or mode changed, so no go command ran.
	Stamped bool
	// WatchDirs are the directories of every non-standard-library package
	// that went into a "source" build, sorted. A change to the files there
	// (or to the modules' go.mod and go.sum) can change the hash, so a file
	// watcher for hot reload should watch these.
	WatchDirs []string
	// Warnings are what the build-time checks found in the sources of a
	// "source" bundle's main package: methods of the delegate it
	// registers whose names are close to a delegate method's (so never
	// called), one sentence each. They are computed when the sources are
	// hashed and kept in the stamp, so every load of the bundle returns
	// them, as the SDK's own registration warnings are printed at every
	// launch.
	Warnings []string
}

// BuildError reports a failed go build (or go list) of a "source" bundle.
type BuildError struct {
	// Dir is the directory of the Go main package.
	Dir string
	// Packages are the import paths of the packages the go command reported
	// errors for ("# pkg" lines), if it named any.
	Packages []string
	// Output is the go command's trimmed output (compiler messages).
	Output string
	// Err is the go command's exit error.
	Err error
	// Hint says how to fix a failure watchbox recognises (an app module
	// that does not point at a watchbox checkout), or is empty.
	Hint string
}

// Error names the failed packages and includes the compiler output.
func (e *BuildError) Error() string {
	what := "the Go package in " + e.Dir
	if len(e.Packages) > 0 {
		what = "package " + strings.Join(e.Packages, ", ") + " (in " + e.Dir + ")"
	}
	if e.Output == "" {
		return fmt.Sprintf("building %s failed: %v", what, e.Err)
	}
	msg := fmt.Sprintf("building %s failed:\n%s", what, e.Output)
	if e.Hint != "" {
		msg += "\nfix: " + e.Hint
	}
	return msg
}

// Unwrap returns the go command's error.
func (e *BuildError) Unwrap() error { return e.Err }

// Build opens the bundle in dir and returns its WebAssembly module; see
// [Open] and [Bundle.Wasm].
func Build(ctx context.Context, dir string, opts BuildOptions) ([]byte, BuildInfo, error) {
	b, err := Open(dir)
	if err != nil {
		return nil, BuildInfo{}, err
	}
	return b.Wasm(ctx, opts)
}

// Wasm returns the bundle's WebAssembly module. For a "module" bundle it reads
// the file. For a "source" bundle it runs, in the source directory,
//
//	GOOS=wasip1 GOARCH=wasm CGO_ENABLED=0 go build -buildmode=c-shared [Flags] -o <CacheDir>/<hash>.wasm .
//
// with the rest of the environment (GOFLAGS, GOCACHE, GOPROXY, ...)
// inherited, unless the cache already holds <hash>.wasm. The hash covers the
// Go version and GOROOT, GOFLAGS, GOEXPERIMENT, GOWASM, go.work, the build
// flags, and for every non-standard-library package the build uses: its
// import path and directory, the names and contents of its Go, assembly,
// embedded and other source files, and its module's go.mod and go.sum. So
// editing the app or any library it imports (in its module or a replaced or
// workspace module) causes a rebuild, while touching unrelated files does
// not. Standard library sources are covered only through the Go version and
// GOROOT.
//
// A failed build returns a *BuildError holding the compiler output.
func (b *Bundle) Wasm(ctx context.Context, opts BuildOptions) ([]byte, BuildInfo, error) {
	m, info, err := b.Locate(ctx, opts)
	if err != nil {
		return nil, info, err
	}
	data, err := m.Bytes()
	if err != nil {
		return nil, BuildInfo{}, err
	}
	if info.Prebuilt {
		info.Hash = hex.EncodeToString(m.Sum[:])
	}
	return data, info, nil
}

// Locate is [Bundle.Wasm] without reading the module when its hash is
// known: it returns the module's file and SHA-256, and builds a "source"
// bundle as Wasm does when the build cache has no module for its
// sources. A module file whose digest record (kept in opts.CacheDir; for
// a "module" bundle only when CacheDir is set) says it is unchanged is
// not read; Module.Bytes reads it when needed.
func (b *Bundle) Locate(ctx context.Context, opts BuildOptions) (*Module, BuildInfo, error) {
	start := time.Now()
	if b.Manifest.Module != "" {
		path := filepath.Join(b.Dir, filepath.FromSlash(b.Manifest.Module))
		info := BuildInfo{Prebuilt: true, Path: path}
		m := &Module{Path: path, cacheDir: opts.CacheDir}
		if sum, ok := readDigest(opts.CacheDir, path); ok {
			m.Sum = sum
		} else {
			before, known := statID(path)
			data, err := input.Read(path, input.Module)
			if err != nil {
				return nil, BuildInfo{}, err
			}
			m.data, m.Sum = data, sha256.Sum256(data)
			if known {
				writeDigest(opts.CacheDir, path, before, m.Sum, start)
			}
		}
		info.Hash = hex.EncodeToString(m.Sum[:])
		info.Duration = time.Since(start)
		return m, info, nil
	}

	if opts.GoCmd == "" {
		opts.GoCmd = "go"
	}
	if opts.CacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, BuildInfo{}, fmt.Errorf("no build cache directory (set BuildOptions.CacheDir): %w", err)
		}
		opts.CacheDir = filepath.Join(dir, "watchbox", "build")
	}
	// The go command runs in the app's directory, so a relative cache
	// directory (watchbox run --cache C) would name another place there.
	if abs, err := filepath.Abs(opts.CacheDir); err == nil {
		opts.CacheDir = abs
	}
	srcDir := filepath.Join(b.Dir, filepath.FromSlash(b.Manifest.Source))
	// Unchanged files since the last hash: take it from the stamp, with no
	// go command (see stamp).
	var sum string
	var watch, inputs, warnings []string
	stamped := false
	if !opts.Force {
		sum, watch, warnings, stamped = readStamp(srcDir, opts)
	}
	var view *goView
	if !stamped && opts.CachedOnly {
		return nil, BuildInfo{}, ErrNotCached
	}
	if !stamped {
		var err error
		if view, err = goList(ctx, srcDir, opts); err != nil {
			return nil, BuildInfo{}, err
		}
		if sum, watch, inputs, err = view.hash(opts); err != nil {
			return nil, BuildInfo{}, err
		}
		warnings = view.warnings(srcDir)
	}
	info := BuildInfo{Hash: sum, Path: filepath.Join(opts.CacheDir, sum+".wasm"), WatchDirs: watch, Stamped: stamped, Warnings: warnings}
	// cached returns the cache's module for the hash, if it has one.
	cached := func() (*Module, bool) {
		if opts.Force {
			return nil, false
		}
		m := &Module{Path: info.Path, cacheDir: opts.CacheDir}
		found := false
		if m.Sum, found = readDigest(opts.CacheDir, info.Path); !found {
			before, known := statID(info.Path)
			// A cached module that is cut short or extended (a copy
			// that did not finish, a damaged disk) is built again,
			// not handed on to fail as "truncated or corrupt" on
			// every load until the user thinks of --rebuild.
			if data, err := input.Read(info.Path, input.Module); err == nil && wholeModule(data) {
				found = true
				m.data, m.Sum = data, sha256.Sum256(data)
				if known {
					writeDigest(opts.CacheDir, info.Path, before, m.Sum, start)
				}
			}
		}
		if !found {
			return nil, false
		}
		if !stamped {
			writeStamp(srcDir, opts, sum, watch, inputs, warnings, start)
		}
		info.Cached = true
		info.Duration = time.Since(start)
		return m, true
	}
	if m, ok := cached(); ok {
		return m, info, nil
	}
	if opts.CachedOnly {
		return nil, BuildInfo{}, ErrNotCached
	}

	if err := os.MkdirAll(opts.CacheDir, 0o755); err != nil {
		return nil, BuildInfo{}, fmt.Errorf("build cache: %w; give a cache directory watchbox can create and write to (--cache)", err)
	}
	// Take turns with other builds (see buildgate) and look again: a build
	// of the same sources that ended while this one waited cached them.
	end, err := buildgate.First(ctx)
	if err != nil {
		return nil, BuildInfo{}, waitError(ctx, srcDir, err)
	}
	built := false
	defer func() { end(built) }()
	unlock, err := buildgate.LockTemp(ctx, filepath.Join(opts.CacheDir, "."+sum+".lock"))
	if err != nil {
		return nil, BuildInfo{}, waitError(ctx, srcDir, err)
	}
	defer unlock()
	if m, ok := cached(); ok {
		return m, info, nil
	}

	// What the build's inputs look like now, for unchanged to compare.
	var before []pathStat
	if view != nil {
		before, _ = statPaths(srcDir, opts, inputs, watch)
	}
	removeStaleBuilds(opts.CacheDir)
	tmp, err := os.MkdirTemp(opts.CacheDir, "."+buildTempPrefix)
	if err != nil {
		return nil, BuildInfo{}, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "out.wasm")
	if opts.OnBuild != nil {
		opts.OnBuild(srcDir)
	}
	args := append([]string{"build", "-buildmode=c-shared"}, opts.Flags...)
	args = append(args, "-o", out, ".")
	// The go command's work directory goes in tmp too: go build ends at
	// once on a signal, without removing it, and tmp is removed here.
	if _, err := goCmd(ctx, srcDir, opts.GoCmd, tmp, args...); err != nil {
		return nil, BuildInfo{}, err
	}
	built = true
	data, err := os.ReadFile(out)
	if err != nil {
		return nil, BuildInfo{}, err
	}
	// Cache the result only if the sources did not change during the build;
	// otherwise the entry could hold a module that does not match its name.
	hashed := time.Now()
	if unchanged(ctx, srcDir, opts, view, before, sum) {
		if err := os.Rename(out, info.Path); err != nil {
			return nil, BuildInfo{}, err
		}
		writeStamp(srcDir, opts, sum, watch, inputs, warnings, hashed)
	} else {
		info.Path = ""
	}
	info.Duration = time.Since(start)
	m := NewModule(info.Path, data)
	m.cacheDir = opts.CacheDir
	return m, info, nil
}

// buildTempPrefix begins the name (after a dot) of a build's temporary
// directory in the cache.
const buildTempPrefix = "build-"

// staleBuild is the age past which a build's temporary directory is taken
// for one its build left behind: a build takes minutes at most.
const staleBuild = 24 * time.Hour

// removeStaleBuilds removes the temporary directories that builds which
// never ended left in cacheDir (watchbox killed with SIGKILL, a crash of
// the machine), each holding a module of megabytes. They were kept
// forever.
func removeStaleBuilds(cacheDir string) {
	dirs, _ := filepath.Glob(filepath.Join(cacheDir, "."+buildTempPrefix+"*"))
	for _, d := range dirs {
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() && time.Since(fi.ModTime()) > staleBuild {
			os.RemoveAll(d)
		}
	}
}

// unchanged reports whether the sources of a build of srcDir whose
// content hash was sum still hash to it after the build. With the view of
// the go command the hash was made from, it runs no go command: the files
// the hash read are read again (any change of content), and the metadata
// the stamp would record (the package directories and each of their
// entries, go.mod and go.work up the tree, the go command and the go env
// file) is compared with before, taken just after the hash (a file added,
// removed or renamed in a package, a new module or workspace, another Go).
// Without a view (the hash came from a stamp), it runs the full hash
// again.
func unchanged(ctx context.Context, srcDir string, opts BuildOptions, view *goView, before []pathStat, sum string) bool {
	if view == nil {
		after, _, _, err := sourceHash(ctx, srcDir, opts)
		return err == nil && after == sum
	}
	after, dirs, inputs, err := view.hash(opts)
	if err != nil || after != sum || before == nil {
		return false
	}
	now, err := statPaths(srcDir, opts, inputs, dirs)
	return err == nil && slices.Equal(now, before)
}

// goCmd runs the go command in dir for GOOS=wasip1 GOARCH=wasm and returns
// its standard output. A failure is a *BuildError (or the context's error).
// With workDir set, the go command makes its temporary work directory
// there (GOTMPDIR) rather than in the system's temporary directory.
func goCmd(ctx context.Context, dir, gocmd, workDir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, gocmd, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if workDir != "" {
		cmd.Env = append(cmd.Env, "GOTMPDIR="+workDir)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := stopAsGroup(cmd)
	err := cmd.Run()
	done()
	if err != nil {
		if ctx.Err() != nil {
			return nil, &StoppedError{Dir: dir, Cmd: gocmd + " " + args[0], Err: ctx.Err()}
		}
		output := strings.TrimSpace(stderr.String())
		var pkgs []string
		for line := range strings.Lines(output) {
			if pkg, ok := strings.CutPrefix(strings.TrimSpace(line), "# "); ok {
				pkgs = append(pkgs, pkg)
			}
		}
		return nil, &BuildError{Dir: dir, Packages: pkgs, Output: output, Err: fmt.Errorf("%s %s: %w", gocmd, args[0], err), Hint: sdkHint(dir, output)}
	}
	return stdout.Bytes(), nil
}

// waitError is the error of a build that could not wait for its turn
// (see buildgate): a *StoppedError if ctx was cancelled.
func waitError(ctx context.Context, srcDir string, err error) error {
	if ctx.Err() != nil {
		return &StoppedError{Dir: srcDir, Cmd: "go build", Err: ctx.Err()}
	}
	return fmt.Errorf("waiting to build %s: %w", srcDir, err)
}

// StoppedError is a build stopped before it finished because its context
// was cancelled (a SIGINT or SIGTERM to watchbox): the go command was
// interrupted, and nothing was cached or left behind.
type StoppedError struct {
	Dir string // the bundle's source directory
	Cmd string // "go build", "go list", ...
	Err error  // the context's error
}

func (e *StoppedError) Error() string {
	return fmt.Sprintf("build of %s stopped: %s was interrupted; nothing was cached and no temporary files are left; run the command again to build", e.Dir, e.Cmd)
}

func (e *StoppedError) Unwrap() error { return e.Err }

// listedPackage holds the go list fields that go into the hash.
type listedPackage struct {
	ImportPath string
	Dir        string
	Standard   bool
	Module     *struct{ Dir, GoMod string }

	GoFiles, CgoFiles, CFiles, CXXFiles, MFiles, HFiles, FFiles, SFiles,
	SwigFiles, SwigCXXFiles, SysoFiles, EmbedFiles, OtherFiles []string
}

// listFields is the -json field list matching listedPackage.
const listFields = "ImportPath,Dir,Standard,Module,GoFiles,CgoFiles,CFiles,CXXFiles,MFiles,HFiles,FFiles,SFiles,SwigFiles,SwigCXXFiles,SysoFiles,EmbedFiles,OtherFiles"

// goView is what the go command says of a build, the part of sourceHash
// that needs it: the environment that goes into the hash, and the
// packages the build reads (go list -deps), in go list's order.
type goView struct {
	env  struct{ GOVERSION, GOROOT, GOFLAGS, GOEXPERIMENT, GOWASM, GOWORK string }
	pkgs []listedPackage
}

// warnings runs the build-time checks of the sources (delegateWarnings)
// on the main package in srcDir, whose files v names.
func (v *goView) warnings(srcDir string) []string {
	abs, err := filepath.Abs(srcDir)
	if err != nil {
		return nil
	}
	for _, pkg := range v.pkgs {
		if filepath.Clean(pkg.Dir) == abs {
			return delegateWarnings(pkg.Dir, pkg.GoFiles)
		}
	}
	return delegateWarnings(srcDir, goFilesFor(srcDir))
}

// sourceHash computes the content hash of the build of the main package in
// srcDir (see [Bundle.Wasm]), the directories of its packages, and the
// files it read (for the stamp).
func sourceHash(ctx context.Context, srcDir string, opts BuildOptions) (string, []string, []string, error) {
	v, err := goList(ctx, srcDir, opts)
	if err != nil {
		return "", nil, nil, err
	}
	return v.hash(opts)
}

// goList asks the go command for the view of a build of srcDir: go env
// and go list, which do not depend on each other, at the same time.
func goList(ctx context.Context, srcDir string, opts BuildOptions) (*goView, error) {
	var envJSON []byte
	var envErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		envJSON, envErr = goCmd(ctx, srcDir, opts.GoCmd, "", "env", "-json", "GOVERSION", "GOROOT", "GOFLAGS", "GOEXPERIMENT", "GOWASM", "GOWORK")
	}()
	args := append([]string{"list", "-deps", "-json=" + listFields}, opts.Flags...)
	list, err := goCmd(ctx, srcDir, opts.GoCmd, "", append(args, ".")...)
	<-done
	if envErr != nil {
		return nil, envErr
	}
	v := &goView{}
	if err := json.Unmarshal(envJSON, &v.env); err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(list))
	for {
		var pkg listedPackage
		if err := dec.Decode(&pkg); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		if !pkg.Standard {
			v.pkgs = append(v.pkgs, pkg)
		}
	}
	return v, nil
}

// hash reads the files of v's packages and returns the content hash of
// the build, the directories of its packages and the files it read. It
// runs no go command, so it can check cheaply that nothing v names
// changed.
func (v *goView) hash(opts BuildOptions) (string, []string, []string, error) {
	env := v.env
	var inputs []string

	h := sha256.New()
	put := func(fields ...string) {
		for _, f := range fields {
			fmt.Fprintf(h, "%d:%s\n", len(f), f)
		}
	}
	put("watchbox-build-v1", env.GOVERSION, env.GOROOT, env.GOFLAGS, env.GOEXPERIMENT, env.GOWASM, "-buildmode=c-shared")
	put(opts.Flags...)
	if env.GOWORK != "" && env.GOWORK != "off" {
		if err := putFiles(put, &inputs, "", env.GOWORK, env.GOWORK+".sum"); err != nil {
			return "", nil, nil, err
		}
	}
	var dirs []string
	modules := map[string]bool{}
	for _, pkg := range v.pkgs {
		put("package", pkg.ImportPath, pkg.Dir)
		dirs = append(dirs, pkg.Dir)
		for _, files := range [][]string{pkg.GoFiles, pkg.CgoFiles, pkg.CFiles, pkg.CXXFiles, pkg.MFiles, pkg.HFiles,
			pkg.FFiles, pkg.SFiles, pkg.SwigFiles, pkg.SwigCXXFiles, pkg.SysoFiles, pkg.EmbedFiles, pkg.OtherFiles} {
			if err := putFiles(put, &inputs, pkg.Dir, files...); err != nil {
				return "", nil, nil, err
			}
			put("|")
		}
		if m := pkg.Module; m != nil && m.GoMod != "" && !modules[m.GoMod] {
			modules[m.GoMod] = true
			files := []string{m.GoMod}
			if m.Dir != "" {
				files = append(files, filepath.Join(m.Dir, "go.sum"))
			}
			if err := putFiles(put, &inputs, "", files...); err != nil {
				return "", nil, nil, err
			}
		}
	}
	slices.Sort(dirs)
	return hex.EncodeToString(h.Sum(nil)), slices.Compact(dirs), inputs, nil
}

// putFiles adds the names and contents of files (relative to dir unless
// absolute) to the hash with put, and their paths to read. A missing file is hashed as missing, so that creating it
// changes the hash.
func putFiles(put func(...string), read *[]string, dir string, files ...string) error {
	for _, name := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		*read = append(*read, path)
		sum, err := hashFile(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			put(name, "(missing)")
		case err != nil:
			return err
		default:
			put(name, string(sum[:]))
		}
	}
	return nil
}

// sourceFile is how errors name a file of a bundle's sources.
var sourceFile = input.Kind{Name: "source file"}

// hashFile returns the SHA-256 of the bundle's file at path (input.Hash:
// read as a stream, for a link to /dev/zero read whole killed the host
// with an out-of-memory fatal error, and opened without blocking, so that
// a FIFO does not hang the build). Anything but a regular file is refused,
// saying what to do.
func hashFile(path string) ([sha256.Size]byte, error) {
	sum, err := input.Hash(path, sourceFile)
	var odd *input.NotRegularError
	if errors.As(err, &odd) {
		err = fmt.Errorf("%w; the go command builds from regular files only: replace it with one, or remove it", err)
	}
	return sum, err
}

// wholeModule reports whether data is a WebAssembly module whose sections
// end exactly where data ends: the header, then each section's id and size
// within the bytes. It reads only the section headers (a few dozen for a
// Go app), so a cached build is checked on every load it is read for; it
// finds a file cut short or extended, not a byte changed inside a section.
func wholeModule(data []byte) bool {
	if !bytes.HasPrefix(data, []byte("\x00asm\x01\x00\x00\x00")) {
		return false
	}
	for pos := 8; pos < len(data); {
		size, n := binary.Uvarint(data[pos+1:])
		if n <= 0 || n > 5 || size > uint64(len(data)-pos-1-n) {
			return false
		}
		pos += 1 + n + int(size)
	}
	return true
}
