package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"memoryLimit", "memoryLimt", 1}, {"ab", "ba", 2}} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestHint(t *testing.T) {
	t.Parallel()
	names := []string{"task_time", "launch_time", "lifecycle_time", "user-info", "message"}
	for name, want := range map[string]string{
		"task_tim": ` (did you mean "task_time"?)`, "Launch_Time": ` (did you mean "launch_time"?)`,
		"mesage": ` (did you mean "message"?)`, "zzzzzz": "", "x": "",
	} {
		if got := Hint(name, names); got != want {
			t.Errorf("Hint(%q) = %q, want %q", name, got, want)
		}
	}
}
