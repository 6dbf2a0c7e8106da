package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadErrors hands Load bad profile files: each error names the file,
// the line and column of the fault where there is one, and what to write
// instead. A file with more after its object, which Load used to accept
// while ignoring the rest, is refused; a bad value is blamed on the file,
// not on the default profile whose name it had kept.
func TestLoadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name, body, want string
	}{
		{"empty", "  \n", "FILE: the file is empty; write a JSON object of the keys to change"},
		{"two objects", "{\"task_time\": \"10s\"}\n{\"task_time\": \"20s\"}", "FILE:2:1: more after the profile's JSON object; a profile file is one object"},
		{"trailing garbage", "{\"task_time\": \"10s\"} x", "FILE:1:22: more after the profile's JSON object"},
		{"syntax", "{\n  \"task_time\": \"10s\",\n  ]\n}", "FILE:3:3: invalid character ']' looking for beginning of object key string; a profile file is one JSON object"},
		{"cut short", "{\"task_time\": \"10s\",", "FILE: the JSON object ends early"},
		{"number for duration", "{\n  \"task_time\": 5\n}", "FILE:2:3: task_time is a JSON number; want a duration string such as \"15s\""},
		{"string for number", "{\"refreshes_per_hour\": \"4\"}", "FILE:1:2: refreshes_per_hour is a JSON string; want a whole number"},
		{"array", "[1, 2]", "FILE:1:1: the file holds a JSON array; a profile file is one JSON object"},
		{"bad duration", "{\n  \"refreshes_per_hour\": 4,\n  \"task_time\": \"ten seconds\"\n}", "FILE:3:3: task_time: \"ten seconds\" is not a duration such as 15s, 2m or 1h"},
		{"unknown key", "{\"task_tme\": \"10s\"}", "FILE: json: unknown field \"task_tme\" (did you mean \"task_time\"?) (keys: "},
		{"bad value", "{\"task_time\": \"-1s\"}", "FILE: task_time must be a positive duration, got -1s"},
	}
	for _, c := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".json")
		if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		want := "profile " + strings.ReplaceAll(c.want, "FILE", path)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: Load = %v\nwant an error starting %q", c.name, err, want)
		}
	}
}
