package bundle

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseManifest parses arbitrary bytes as watchapp.json: ParseManifest
// returns a manifest or a *ManifestError whose every problem has a
// message, and never panics.
func FuzzParseManifest(f *testing.F) {
	files, err := filepath.Glob("../../apps/*/watchapp.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no sample manifests: %v", err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"CFBundleIdentifier":"a.b","abiVersion":1,"settings":{"a":[1,{"b":null}]},"WKBackgroundModes":["x",1]}`))
	f.Add([]byte("\xef\xbb\xbf{\"abiVersion\":1e400}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err == nil {
			if m == nil {
				t.Fatal("ParseManifest returned neither a manifest nor an error")
			}
			return
		}
		var me *ManifestError
		if !errors.As(err, &me) || len(me.Problems) == 0 {
			t.Fatalf("ParseManifest's error is %T with no problems: %v", err, err)
		}
		for _, p := range me.Problems {
			if p.Message == "" || p.Line < 0 || p.Column < 0 {
				t.Errorf("a problem without a message or with a negative position: %+v", p)
			}
		}
	})
}
