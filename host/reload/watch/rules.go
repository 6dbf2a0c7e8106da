package watch

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
)

// ignoredNames are directory (or file) names never watched: version
// control metadata and dependency trees that are not build inputs.
var ignoredNames = map[string]bool{
	".git": true, ".hg": true, ".svn": true, ".bzr": true, "_darcs": true,
	"node_modules": true,
	"4913":         true, // vim writes and deletes it to probe a directory
	".DS_Store":    true,
}

// Ignored reports whether a file or directory with this base name is never
// watched or reported: VCS directories (.git, .hg, .svn, .bzr, _darcs),
// node_modules, the temporary build directories of package bundle
// (.build-*), and editor swap, backup, lock and temp files (*.swp, *.swo,
// *.swx, *~, .#*, #*#, vim's 4913, JetBrains' *___jb_tmp___ and
// *___jb_old___).
func Ignored(name string) bool {
	if ignoredNames[name] {
		return true
	}
	switch {
	case strings.HasPrefix(name, ".build-"),
		strings.HasPrefix(name, ".#"),
		strings.HasSuffix(name, "~"),
		len(name) > 1 && strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"),
		strings.HasSuffix(name, ".swp"), strings.HasSuffix(name, ".swo"), strings.HasSuffix(name, ".swx"),
		strings.HasSuffix(name, "___jb_tmp___"), strings.HasSuffix(name, "___jb_old___"):
		return true
	}
	return false
}

// Relevant reports whether the file at path can change what a bundle runs:
// Go sources (*.go), go.mod, go.sum, go.work, go.work.sum, the manifest
// watchapp.json, and WebAssembly modules (*.wasm). Ignored names are not
// relevant.
func Relevant(path string) bool {
	name := filepath.Base(path)
	switch name {
	case "go.mod", "go.sum", "go.work", "go.work.sum", "watchapp.json":
		return true
	}
	if Ignored(name) {
		return false
	}
	ext := filepath.Ext(name)
	return ext == ".go" || ext == ".wasm"
}

// Hash returns the hex SHA-256 content hash of the relevant files in the
// trees rooted at dirs, walked the way a [Watcher] walks them (the same
// ignored directories, opts.Relevant and opts.IgnoreDirs). It covers each
// file's path relative to its root and its content, so it changes when a
// [Watcher] on dirs would report a change, and not for a touch or a save of
// identical content.
func Hash(dirs []string, opts Options) (string, error) {
	relevant := opts.Relevant
	if relevant == nil {
		relevant = Relevant
	}
	ignore := map[string]bool{}
	for _, d := range opts.IgnoreDirs {
		if abs, err := filepath.Abs(d); err == nil {
			ignore[abs] = true
		}
	}
	h := sha256.New()
	for i, dir := range dirs {
		root, err := filepath.Abs(dir)
		if err != nil {
			return "", err
		}
		var files []string
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path != root && errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.IsDir() {
				if path != root && (Ignored(d.Name()) || ignore[path]) {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && relevant(path) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return "", err
		}
		slices.Sort(files)
		for _, f := range files {
			sum, ok, err := hashFile(f)
			if err != nil {
				return "", err
			}
			if !ok {
				continue
			}
			rel, _ := filepath.Rel(root, f)
			fmt.Fprintf(h, "%d %s\x00%x\n", i, filepath.ToSlash(rel), sum)
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}
