package meter

import (
	"strings"
	"testing"
)

// TestValidateRefusesHugeCounts: modules whose headers claim far more
// elements than they hold are refused by Validate, which allocates by what
// is there, before wazero would allocate by what is claimed.
func TestValidateRefusesHugeCounts(t *testing.T) {
	t.Parallel()
	header := "\x00asm\x01\x00\x00\x00"
	for name, tc := range map[string]struct{ wasm, want string }{
		"types":     {header + "\x01\x05\xf0\xff\xff\xff\x0f", "type"},
		"functions": {header + "\x03\x05\xf0\xff\xff\xff\x0f", "function"},
		"imports":   {header + "\x02\x05\xf0\xff\xff\xff\x0f", "import"},
		"data":      {header + "\x0b\x05\xf0\xff\xff\xff\x0f", "data"},
		"section":   {header + "\x01\xf0\xff\xff\xff\x0f\x01", "runs past the end"},
		// One body declaring 2^32-2 locals: wazero allocates them all.
		"locals": {header + "\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x0a\x01\x08\x01\xfe\xff\xff\xff\x0f\x7f\x0b", "too many locals"},
	} {
		err := Validate([]byte(tc.wasm))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want an error naming %q", name, err, tc.want)
		}
	}
}

// TestValidateAcceptsMeteredModules: Validate reserves no names, so the
// output of Instrument is valid too.
func TestValidateAcceptsMeteredModules(t *testing.T) {
	t.Parallel()
	wasm := []byte("\x00asm\x01\x00\x00\x00\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x04\x01\x02\x00\x0b")
	if err := Validate(wasm); err != nil {
		t.Fatalf("Validate(a minimal module) = %v", err)
	}
	out, err := Instrument(wasm, Strict)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(out); err != nil {
		t.Errorf("Validate(a metered module) = %v", err)
	}
}
