package inspect

import (
	"context"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

// coverImporter is a module that imports watchbox_cover.hit, of type
// [i32] -> [], itself:
//
//	(module (import "watchbox_cover" "hit" (func (param i32))))
var coverImporter = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, // type: [i32] -> []
	0x02, 0x16, 0x01, // import section: 1 import
	0x0e, 'w', 'a', 't', 'c', 'h', 'b', 'o', 'x', '_', 'c', 'o', 'v', 'e', 'r',
	0x03, 'h', 'i', 't', 0x00, 0x00, // func of type 0
}

// TestCheckRefusesCoverImport: an app that imports the coverage function
// itself is refused by the check, with what to do, unless the
// instrumenter added it (under the fuzzer).
func TestCheckRefusesCoverImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	cm, err := r.CompileModule(ctx, coverImporter)
	if err != nil {
		t.Fatal(err)
	}
	coverProblem := func(added Instrumentation) *Problem {
		_, problems := CheckModule(cm, map[string]bool{}, added)
		for i, p := range problems {
			if p.Where == "import watchbox_cover.hit" {
				return &problems[i]
			}
		}
		return nil
	}
	p := coverProblem(Instrumentation{})
	if p == nil {
		t.Fatal("CheckModule accepted an app's own watchbox_cover.hit import")
	}
	if !strings.Contains(p.Message, "reserves") || !strings.Contains(p.Message, "remove this import") {
		t.Errorf("the problem does not say what is wrong and what to do: %q", p.Message)
	}
	if p := coverProblem(Instrumentation{Metered: true}); p == nil {
		t.Error("CheckModule accepted watchbox_cover.hit in a module metered without coverage")
	}
	if p := coverProblem(Instrumentation{Metered: true, Coverage: true}); p != nil {
		t.Errorf("CheckModule refused the import the coverage instrumentation adds: %v", p)
	}
}
