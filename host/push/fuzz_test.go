package push

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse parses arbitrary bytes as a push file: Parse returns a push
// or an *Error with a message, and never panics.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/*.apns", "../../tests/scenarios/push/*.apns"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`{"aps":{"alert":{"title":"a","loc-args":[1,{"x":[]}]},"badge":-1}}`))
	f.Add([]byte("{\"aps\":{}}\n{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, 0)
		if err == nil {
			if p == nil {
				t.Fatal("Parse returned neither a push nor an error")
			}
			return
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.Msg == "" {
			t.Fatalf("Parse's error is %T without a message: %v", err, err)
		}
		if pe.Line < 0 || pe.Column < 0 {
			t.Errorf("error at %d:%d: %v", pe.Line, pe.Column, err)
		}
	})
}
