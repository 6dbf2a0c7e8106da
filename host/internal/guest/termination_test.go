package guest

import "testing"

// TestClassifyFatal: the Go runtime's fatal reports, as a wasip1 guest
// prints them, name their termination by the line that says why.
func TestClassifyFatal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		lines []string
		term  Termination
		line  string
	}{
		{"heap", []string{"runtime: out of memory: cannot allocate 1048576-byte block (28672000 in use)", "fatal error: out of memory", "", "goroutine 1 [running]:", "runtime.(*mcache).allocLarge(0x1)"},
			TerminationOutOfMemory, "runtime: out of memory: cannot allocate 1048576-byte block (28672000 in use)"},
		{"stack growth out of memory", []string{"runtime: out of memory: cannot allocate 16777216-byte block (8749056 in use)", "fatal error: out of memory", "", "runtime stack:", "runtime.throw({0x4d3f6, 0xd})", "runtime.stackalloc(0x1000000)"},
			TerminationStackOverflow, "runtime: out of memory: cannot allocate 16777216-byte block (8749056 in use)"},
		{"max stack", []string{"runtime: goroutine stack exceeds 1048576-byte limit", "runtime: sp=0x1 stack=[0x2, 0x3]", "fatal error: stack overflow"},
			TerminationStackOverflow, "runtime: goroutine stack exceeds 1048576-byte limit"},
		{"deadlock", []string{"fatal error: all goroutines are asleep - deadlock!", "", "goroutine 1 [chan receive (nil chan)]:"},
			TerminationDeadlock, "fatal error: all goroutines are asleep - deadlock!"},
		{"map", []string{"fatal error: concurrent map writes"}, TerminationGoFatal, "fatal error: concurrent map writes"},
		{"goroutine panic", []string{"panic: boom", "", "goroutine 7 [running]:"}, TerminationGoPanic, "panic: boom"},
		{"no report", []string{"just a line"}, "", ""},
	}
	for _, c := range cases {
		term, line := classifyFatal(c.lines)
		if term != c.term || line != c.line {
			t.Errorf("%s: classifyFatal = %q, %q; want %q, %q", c.name, term, line, c.term, c.line)
		}
	}
}
