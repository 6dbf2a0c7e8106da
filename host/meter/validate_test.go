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
		// A data segment claiming 4 GiB of bytes: wazero allocates them.
		"data bytes": {header + "\x05\x03\x01\x00\x01" + "\x0b\x0a\x01\x00\x41\x00\x0b\xff\xff\xff\xff\x0f", "a data segment at byte 20 claims 4294967295 bytes"},
		// A function type claiming 4 billion parameters.
		"parameters": {header + "\x01\x07\x01\x60\xff\xff\xff\xff\x0f", "type section"},
		// An element segment claiming 4 billion functions.
		"elements": {header + "\x09\x09\x01\x00\x41\x00\x0b\xff\xff\xff\x0f", "an element segment's vector"},
		// A name section whose function names and local names claim
		// billions of entries, and a name of 4 GiB.
		"function names": {header + "\x00\x0c\x04name\x01\x05\xff\xff\xff\xff\x0f", "the function name map"},
		"local names":    {header + "\x00\x0e\x04name\x02\x07\x01\x00\xff\xff\xff\xff\x0f", "a function's local names"},
		"module name":    {header + "\x00\x0c\x04name\x00\x05\xff\xff\xff\xff\x0f", "the module name at byte"},
		"export name":    {header + "\x07\x06\x01\xff\xff\xff\xff\x0f", "need 4294967295 bytes"},
		// A table of 2^27 elements: 1 GiB of host memory at instantiation.
		"table":        {header + "\x04\x07\x01\x70\x00\x80\x80\x80\x40", "a table starts with 134217728 elements, more than the 1048576"},
		"import table": {header + "\x02\x0c\x01\x01m\x01t\x01\x70\x00\x80\x80\x80\x40", "a table starts with 134217728 elements"},
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

// TestValidateRefusesACountAcrossTheSectionEnd: the input FuzzInstrument
// keeps as d3c0a0a5b14dcd85 has a function type whose parameter count,
// 2^32-1, starts in the last bytes of a 10-byte type section and ends
// past it. wazero reads on past the section and allocates 32 GiB (a fatal
// out of memory); Validate, which runs before wazero on every path,
// refuses the module.
func TestValidateRefusesACountAcrossTheSectionEnd(t *testing.T) {
	t.Parallel()
	in := []byte("\x00asm\x01\x00\x00\x00\x01\n\x02`\x01\x7f\x01}`\xff\xff\xff\xff\x0f\x1a\v\v\x12\x01\x00A\x00\v\f\x00\x00\x00\x00\x00\x00\xa0\x7f\x01\x00\xd0\x7f\x00&\x04name\x02\x1f\x06\x00\x01\x00ci\x01\x01\x00\x01i\x02\x01\x00\x01i\x03\x01\x00\x01i\x04\x01\x00\x01i\x05\x01\x00\x01g")
	if err := Validate(in); err == nil {
		t.Fatal("Validate accepts a module wazero cannot decode without 32 GiB")
	}
}
