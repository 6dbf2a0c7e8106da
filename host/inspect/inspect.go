// Package inspect checks a watch app's module against the ABI without
// running any of it: the byte-level checks, the compile problems explained,
// the ABI marker, imports and exports, and the Report of `watchbox
// inspect`. The runtime (package host) runs the same checks when it loads
// an app.
package inspect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/input"
)

// Report is what Path finds out about an app bundle or a module file.
type Report struct {
	Path       string           `json:"path"`
	Manifest   *bundle.Manifest `json:"manifest,omitempty"` // nil for a bare module
	Build      *BuildResult     `json:"build,omitempty"`
	ABIVersion int              `json:"abi_version"` // 0 when the module declares none
	Imports    []Symbol         `json:"imports"`
	Exports    []Symbol         `json:"exports"`
	Problems   []Problem        `json:"problems"`
}

// OK reports whether Path found no problem.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// BuildResult describes a built (or prebuilt) app module.
type BuildResult struct {
	Path     string        `json:"path"`
	Hash     string        `json:"hash"`
	Size     int           `json:"size"`
	Cached   bool          `json:"cached"`
	Prebuilt bool          `json:"prebuilt"`
	Duration time.Duration `json:"duration_ns"`
	// Warnings are what the build-time check of a source bundle found
	// (bundle.BuildInfo.Warnings): methods of the registered delegate
	// whose names are close to a delegate method's.
	Warnings []string `json:"warnings,omitempty"`
}

// Options configure Path.
type Options struct {
	CacheDir string // as Config.CacheDir
	Rebuild  bool   // build Go sources even if the build cache has them
}

// Path examines an app bundle directory or a .wasm file without running
// any guest code: manifest, build, ABI version, imports and exports, and
// every problem that would stop the runtime from running it. Problems are
// reported in the Report; the error is for failures of the inspection itself.
func Path(ctx context.Context, path string, opts Options) (*Report, error) {
	cacheDir, err := cacheDirOrDefault(opts.CacheDir)
	if err != nil {
		return nil, err
	}
	rep := &Report{Path: path}
	fi, err := os.Stat(path)
	if err != nil {
		rep.Problems = append(rep.Problems, Problem{path, statMessage(err)})
		return rep, nil
	}
	var wasm []byte
	var pages uint32
	file, limit := path, "no limit"
	// A bundle's watchapp.json is the bundle's; Check says to pass its
	// directory, as watchbox run does, rather than "not a module".
	if fi.IsDir() || filepath.Base(path) == bundle.ManifestFile {
		b, problems := bundle.Check(path)
		for _, p := range problems {
			rep.Problems = append(rep.Problems, Problem{Message: p.String()})
		}
		if b == nil {
			return rep, nil
		}
		rep.Manifest = &b.Manifest
		if len(problems) > 0 {
			return rep, nil // the module or source may be what is missing
		}
		var info bundle.BuildInfo
		wasm, info, err = b.Wasm(ctx, bundle.BuildOptions{CacheDir: filepath.Join(cacheDir, "build"), Force: opts.Rebuild})
		if err != nil {
			var be *bundle.BuildError
			if errors.As(err, &be) {
				rep.Problems = append(rep.Problems, Problem{"build", be.Error()})
				return rep, nil
			}
			return nil, err
		}
		rep.Build = &BuildResult{Path: info.Path, Hash: info.Hash, Size: len(wasm), Cached: info.Cached, Prebuilt: info.Prebuilt, Duration: info.Duration, Warnings: info.Warnings}
		pages = b.Manifest.MemoryLimit.Pages()
		limit = b.Manifest.MemoryLimit.String()
		file = info.Path
		if b.Manifest.Module != "" {
			file = filepath.Join(path, filepath.FromSlash(b.Manifest.Module))
		}
	} else {
		// Regular files only, at most input.Module's cap: /dev/zero or a
		// FIFO must not grow or hang the process.
		wasm, err = input.Read(path, input.Module)
		if err != nil {
			if input.IsTooLarge(err) || errors.As(err, new(*input.NotRegularError)) {
				rep.Problems = append(rep.Problems, Problem{path, input.Reason(err)})
				return rep, nil
			}
			return nil, fmt.Errorf("inspect: %w", err)
		}
	}
	cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(cacheDir, "wazero"))
	if err != nil {
		return nil, fmt.Errorf("inspect: compilation cache: %w", err)
	}
	defer cache.Close(ctx)
	rc := wazero.NewRuntimeConfig().WithCompilationCache(cache)
	if pages > 0 {
		rc = rc.WithMemoryLimitPages(pages)
	}
	if err := checkModuleBytes(ctx, rep, file, wasm, rc, limit); err != nil {
		return nil, err
	}
	return rep, nil
}

// checkModuleBytes adds what is wrong with the module wasm, read from
// file, to rep: the byte checks, then what wazero's compiler under rc
// finds, then the ABI checks. It must never panic or die, whatever wasm
// holds (FuzzInspect).
func checkModuleBytes(ctx context.Context, rep *Report, file string, wasm []byte, rc wazero.RuntimeConfig, limit string) error {
	// CheckBytes validates the sizes in the module before wazero sees it.
	if p := CheckBytes(file, wasm); p != nil {
		rep.Problems = append(rep.Problems, *p)
		return nil
	}
	wr := wazero.NewRuntimeWithConfig(ctx, rc)
	defer wr.Close(ctx)
	cm, err := wr.CompileModule(ctx, wasm)
	if err != nil {
		rep.Problems = append(rep.Problems, CompileProblem(file, err, limit))
		return nil
	}
	wasi, err := WASIFunctions(ctx)
	if err != nil {
		return err
	}
	info, problems := CheckModule(cm, wasi, Instrumentation{})
	rep.ABIVersion, rep.Imports, rep.Exports = info.ABIVersion, info.Imports, info.Exports
	rep.Problems = append(rep.Problems, problems...)
	return nil
}

func statMessage(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "no such file or directory; pass an app bundle directory (with watchapp.json) or a .wasm file"
	}
	return err.Error()
}

func cacheDirOrDefault(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory (pass one or set $XDG_CACHE_HOME): %w", err)
	}
	return filepath.Join(d, "watchbox"), nil
}

// WASIFunctions lists the WASI preview 1 functions wazero provides, the
// ones CheckModule accepts as imports.
func WASIFunctions(ctx context.Context) (map[string]bool, error) {
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	cm, err := wasi_snapshot_preview1.NewBuilder(r).Compile(ctx)
	if err != nil {
		return nil, fmt.Errorf("host: WASI: %w", err)
	}
	names := map[string]bool{}
	for n := range cm.ExportedFunctions() {
		names[n] = true
	}
	return names, nil
}
