package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse parses arbitrary scenario text beside the shipped examples
// (so that their app directories, push and data files resolve): whatever
// the file holds, Parse returns a scenario or Errors, each with a line,
// and never panics or hangs.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(examples, "*.scenario"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no example scenarios: %v", err)
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("at 06:00 phone message weather {\"a\":[1,2,{\"b\":null}]}\n"))
	f.Add([]byte("at 25:61 launch\nbetween 10:00 and 09:00 expect no kill\n"))
	name := filepath.Join(examples, "fuzz.scenario")
	f.Fuzz(func(t *testing.T, src []byte) {
		hang := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("Parse took over 10 s on %d bytes", len(src))) })
		defer hang.Stop()
		s, err := Parse(name, src, Options{})
		if err == nil {
			if s == nil {
				t.Fatal("Parse returned neither a scenario nor an error")
			}
			return
		}
		var list Errors
		if !errors.As(err, &list) {
			t.Fatalf("Parse's error is %T, not Errors: %v", err, err)
		}
		for _, e := range list {
			if e.Msg == "" || e.Line < 0 {
				t.Errorf("an error without a message or with a negative line: %+v", e)
			}
		}
	})
}

// TestParseErrorsAreCapped: a file that is not a scenario, with a problem
// on each of its 300 lines, gets MaxErrors of them, the problem with the
// file as a whole (no app line), and one line counting the rest.
func TestParseErrorsAreCapped(t *testing.T) {
	t.Parallel()
	src := strings.Repeat("bogus line\n", 300)
	_, err := Parse("not.scenario", []byte(src), Options{})
	var list Errors
	if !errors.As(err, &list) {
		t.Fatalf("Parse = %v, want Errors", err)
	}
	if len(list) != MaxErrors+2 {
		t.Fatalf("%d problems, want %d", len(list), MaxErrors+2)
	}
	if last := list[len(list)-1].Error(); last != "not.scenario: and 200 more problems, not shown; is this a scenario file? (see docs/scenario.md)" {
		t.Errorf("last problem %q", last)
	}
	if list[0].Line != 0 || !strings.Contains(list[0].Msg, "no app line") {
		t.Errorf("first problem %v, want the file's: no app line", list[0])
	}
}
