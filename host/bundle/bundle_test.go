package bundle

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes name -> content files under dir, creating directories.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const wasmHeader = "\x00asm\x01\x00\x00\x00"

func TestOpenModuleBundle(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		ManifestFile:     string(manifestJSON("source", "-", "module", `"build/app.wasm"`)),
		"build/app.wasm": wasmHeader,
	})
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(b.Dir) || b.Manifest.Module != "build/app.wasm" {
		t.Errorf("got %+v", b)
	}
	data, info, err := b.Wasm(context.Background(), BuildOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != wasmHeader || !info.Prebuilt || info.Cached || info.Path != filepath.Join(b.Dir, "build", "app.wasm") || len(info.Hash) != 64 {
		t.Errorf("Wasm = %q, %+v", data, info)
	}
}

func TestOpenDirectoryProblems(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"file.txt": "x", "app/" + ManifestFile: "{}"})
	tests := []struct {
		name, dir string
		want      []string
		notExist  bool
	}{
		{"missing dir", filepath.Join(dir, "nope"), []string{"nope: bundle directory does not exist"}, true},
		{"file", filepath.Join(dir, "file.txt"), []string{"file.txt: is a file, not a bundle directory", ManifestFile}, false},
		{"manifest file", filepath.Join(dir, "app", ManifestFile), []string{"is the manifest file; pass the bundle directory"}, false},
		{"no manifest", dir, []string{"no watchapp.json in the bundle directory", "create " + filepath.Join(dir, ManifestFile), `"abiVersion": 1`}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Open(tt.dir)
			if b != nil || err == nil {
				t.Fatalf("Open succeeded: %+v", b)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if got := errors.Is(err, fs.ErrNotExist); got != tt.notExist {
				t.Errorf("errors.Is(err, fs.ErrNotExist) = %v, want %v", got, tt.notExist)
			}
		})
	}
}

func TestOpenFileProblems(t *testing.T) {
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"evil.wasm": wasmHeader, "main.go": "package main"})
	tests := []struct {
		name  string
		key   string // "module" or "source"
		value string
		files map[string]string
		link  [2]string // symlink name -> target, if set
		want  string
	}{
		{"missing module", "module", "app.wasm", nil, [2]string{}, `"app.wasm" does not exist in the bundle directory`},
		{"module is a directory", "module", "app.wasm", map[string]string{"app.wasm/x": ""}, [2]string{}, "is not a regular file"},
		{"module not wasm", "module", "app.wasm", map[string]string{"app.wasm": "(module)"}, [2]string{}, `does not start with "\x00asm"`},
		{"module too short", "module", "app.wasm", map[string]string{"app.wasm": "\x00as"}, [2]string{}, "is not a WebAssembly module"},
		{"module version 2", "module", "app.wasm", map[string]string{"app.wasm": "\x00asm\x02\x00\x00\x00"}, [2]string{}, "binary format version 2"},
		{"module symlink escapes", "module", "app.wasm", nil, [2]string{"app.wasm", filepath.Join(outside, "evil.wasm")}, "leads outside the bundle directory"},
		{"missing source", "source", "app", nil, [2]string{}, `"app" does not exist`},
		{"source is a file", "source", "main.go", map[string]string{"main.go": "package main"}, [2]string{}, "is not a directory"},
		{"source without go files", "source", "app", map[string]string{"app/README": "", "app/x_test.go": "package main"}, [2]string{}, "contains no .go files"},
		{"source symlink escapes", "source", "app", nil, [2]string{"app", outside}, "leads outside the bundle directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			kv := []string{tt.key, jsonString(tt.value)}
			if tt.key == "module" {
				kv = append(kv, "source", "-")
			}
			writeFiles(t, dir, tt.files)
			writeFiles(t, dir, map[string]string{ManifestFile: string(manifestJSON(kv...))})
			if tt.link[0] != "" {
				if err := os.Symlink(tt.link[1], filepath.Join(dir, tt.link[0])); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Open(dir)
			problems := problemsOf(t, err)
			if len(problems) != 1 {
				t.Fatalf("want 1 problem, got %v", err)
			}
			p := problems[0]
			if p.Key != tt.key || p.File != filepath.Join(dir, ManifestFile) || p.Line == 0 || !strings.Contains(p.Message, tt.want) {
				t.Errorf("got %#v, want a %s problem in %s with a position containing %q", p, tt.key, ManifestFile, tt.want)
			}
		})
	}
}

func TestCheckReportsManifestAndFileProblems(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		ManifestFile: string(manifestJSON("CFBundleDisplayName", `""`, "source", `"app"`, "colour", `"red"`)),
	})
	b, problems := Check(dir)
	if b == nil || b.Manifest.BundleIdentifier != "dev.watchbox.hello" || b.Manifest.Source != "app" {
		t.Fatalf("Check did not return the partly valid bundle: %+v", b)
	}
	var keys []string
	for _, p := range problems {
		keys = append(keys, p.Key)
		if p.File != filepath.Join(dir, ManifestFile) {
			t.Errorf("problem file %q", p.File)
		}
	}
	if strings.Join(keys, ",") != "CFBundleDisplayName,colour,source" {
		t.Errorf("problem keys %q; problems: %v", keys, problems)
	}
	_, err := Open(dir)
	if msg := err.Error(); !strings.HasPrefix(msg, filepath.Join(dir, ManifestFile)+": 3 problems:\n\t"+filepath.Join(dir, ManifestFile)+":3:3: CFBundleDisplayName: ") {
		t.Errorf("Open error = %q", msg)
	}
}

func TestCheckSyntaxErrorHasFileAndPosition(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{ManifestFile: "{\n  \"abiVersion\": 1,\n}\n"})
	b, problems := Check(dir)
	if b != nil || len(problems) != 1 {
		t.Fatalf("got %+v, %v", b, problems)
	}
	if got, want := problems[0].String(), filepath.Join(dir, ManifestFile)+":3:1: invalid JSON: "; !strings.HasPrefix(got, want) {
		t.Errorf("got %q, want prefix %q", got, want)
	}
}
