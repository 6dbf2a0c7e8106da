package tests

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFilesThatAreNotRegular: a manifest, scenario, profile or push file
// that is /dev/zero or a FIFO is refused at once with what it is, instead
// of growing the host without bound or hanging on the open.
func TestFilesThatAreNotRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero")
	fifo := filepath.Join(dir, "fifo")
	if err := os.MkdirAll(zero, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(zero, "watchapp.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(fifo, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(fifo, "watchapp.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifoScenario := filepath.Join(dir, "fifo.scenario")
	if err := syscall.Mkfifo(fifoScenario, 0o644); err != nil {
		t.Fatal(err)
	}
	big := writeFile(t, dir, "big.apns", make([]byte, 5000))
	huge := writeFile(t, dir, "huge.json", make([]byte, 3<<19))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"inspect", zero}, exitInvalid, "the manifest is a character device, not a regular file"},
		{[]string{"inspect", fifo}, exitInvalid, "the manifest is a FIFO (named pipe), not a regular file"},
		{[]string{"build", fifo}, exitInvalid, "the manifest is a FIFO (named pipe), not a regular file"},
		{[]string{"run", "--control", "off", zero}, exitInvalid, "the manifest is a character device, not a regular file"},
		{[]string{"simulate", "/dev/zero"}, exitUsage, "the scenario is a character device, not a regular file"},
		{[]string{"simulate", fifoScenario}, exitUsage, "the scenario is a FIFO (named pipe), not a regular file"},
		{[]string{"profile", "--profile", "/dev/zero"}, exitUsage, "the profile is a character device, not a regular file"},
		{[]string{"push", "--control", filepath.Join(dir, "none.sock"), "/dev/zero"}, exitUsage, "the push file is a character device, not a regular file"},
		{[]string{"push", "--control", filepath.Join(dir, "none.sock"), big}, exitUsage, "5000 bytes, over the 4096-byte limit"},
		{[]string{"phone", "--control", filepath.Join(dir, "none.sock"), "user-info", "@/dev/zero"}, exitUsage, "the phone payload is a character device, not a regular file"},
		{[]string{"phone", "--control", filepath.Join(dir, "none.sock"), "user-info", "@" + huge}, exitUsage, "the phone payload is 1.5 MiB, over the 1 MiB a phone payload may be"},
	} {
		r := watchbox(t, nil, tc.args...)
		expect(t, r, tc.code, tc.want)
	}
}

// TestOverlongStepLineOnStdin: a line of steps over 64 KiB on stdin (a
// binary file piped in) stops the run with a usage error that names the
// line, where it used to end the run as if stdin had ended, with exit
// status 0 and the later steps silently not applied.
func TestOverlongStepLineOnStdin(t *testing.T) {
	t.Parallel()
	in := "wrist-down\n" + strings.Repeat("x", 70000) + "\nbackground\n"
	r := watchbox(t, strings.NewReader(in), "run", "--control", "off", "--data", t.TempDir(), "apps/hello")
	expect(t, r, exitUsage, "watchbox run: reading steps: line 2 is over 64 KiB; a step is one short line")
}
