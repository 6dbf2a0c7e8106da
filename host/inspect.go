package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/watchbox/watchbox/host/bundle"
)

// Report is what Inspect finds out about an app bundle or a module file.
type Report struct {
	Path       string           `json:"path"`
	Manifest   *bundle.Manifest `json:"manifest,omitempty"` // nil for a bare module
	Build      *BuildResult     `json:"build,omitempty"`
	ABIVersion int              `json:"abi_version"` // 0 when the module declares none
	Imports    []Symbol         `json:"imports"`
	Exports    []Symbol         `json:"exports"`
	Problems   []Problem        `json:"problems"`
}

// OK reports whether Inspect found no problem.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// BuildResult describes a built (or prebuilt) app module.
type BuildResult struct {
	Path     string        `json:"path"`
	Hash     string        `json:"hash"`
	Size     int           `json:"size"`
	Cached   bool          `json:"cached"`
	Prebuilt bool          `json:"prebuilt"`
	Duration time.Duration `json:"duration_ns"`
}

// InspectOptions configure Inspect.
type InspectOptions struct {
	CacheDir string // as Config.CacheDir
	Rebuild  bool   // build Go sources even if the build cache has them
}

// Inspect examines an app bundle directory or a .wasm file without running
// any guest code: manifest, build, ABI version, imports and exports, and
// every problem that would stop the runtime from running it. Problems are
// reported in the Report; the error is for failures of the inspection itself.
func Inspect(ctx context.Context, path string, opts InspectOptions) (*Report, error) {
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
	if fi.IsDir() {
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
		rep.Build = &BuildResult{Path: info.Path, Hash: info.Hash, Size: len(wasm), Cached: info.Cached, Prebuilt: info.Prebuilt, Duration: info.Duration}
		pages = b.Manifest.MemoryLimit.Pages()
		limit = b.Manifest.MemoryLimit.String()
		file = info.Path
		if b.Manifest.Module != "" {
			file = filepath.Join(path, filepath.FromSlash(b.Manifest.Module))
		}
	} else {
		wasm, err = os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("inspect: %w", err)
		}
	}
	if p := checkBytes(file, wasm); p != nil {
		rep.Problems = append(rep.Problems, *p)
		return rep, nil
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
	wr := wazero.NewRuntimeWithConfig(ctx, rc)
	defer wr.Close(ctx)
	cm, err := wr.CompileModule(ctx, wasm)
	if err != nil {
		rep.Problems = append(rep.Problems, compileProblem(file, err, limit))
		return rep, nil
	}
	wasi, err := wasiFunctions(ctx)
	if err != nil {
		return nil, err
	}
	info, problems := checkModule(cm, wasi)
	rep.ABIVersion, rep.Imports, rep.Exports = info.ABIVersion, info.Imports, info.Exports
	rep.Problems = append(rep.Problems, problems...)
	return rep, nil
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
