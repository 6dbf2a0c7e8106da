package watch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fakeProc makes a /proc/sys with the inotify limits set.
func fakeProc(t *testing.T, watches, instances string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "fs/inotify"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, value := range map[string]string{"max_user_watches": watches, "max_user_instances": instances} {
		if err := os.WriteFile(filepath.Join(dir, "fs/inotify", name), []byte(value), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLimitErrorText(t *testing.T) {
	t.Parallel()
	proc := fakeProc(t, "8192\n", "128\n")
	err := limitError(proc, "/src/app/lib", syscall.ENOSPC)
	want := "watching /src/app/lib: inotify watch limit reached (no space left on device): " +
		"fs.inotify.max_user_watches is 8192; raise it with `sudo sysctl fs.inotify.max_user_watches=524288` " +
		"(to keep it after a reboot: echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/90-watchbox.conf), " +
		"or watch fewer directories"
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
	var le *LimitError
	if !errors.As(err, &le) || le.Current != 8192 || le.Setting != MaxUserWatches || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("got %#v", err)
	}

	// A large limit is doubled; an unreadable one is said to be so.
	if got := limitError(fakeProc(t, "600000", "128"), "/d", syscall.ENOSPC).Error(); !strings.Contains(got, "is 600000; raise it with `sudo sysctl fs.inotify.max_user_watches=1200000`") {
		t.Errorf("got %s", got)
	}
	if got := limitError(t.TempDir(), "/d", syscall.ENOSPC).Error(); !strings.Contains(got, "fs.inotify.max_user_watches could not be read; raise it with `sudo sysctl fs.inotify.max_user_watches=524288`") {
		t.Errorf("got %s", got)
	}
	// Other errors pass through.
	if err := limitError(proc, "/d", syscall.EACCES); err != syscall.EACCES {
		t.Errorf("EACCES became %v", err)
	}
}

func TestInstanceErrorText(t *testing.T) {
	t.Parallel()
	other := errors.New("some other error")
	if err := instanceError(fakeProc(t, "8192", "128"), other); err != other {
		t.Errorf("other error became %v", err)
	}
	err := instanceError(fakeProc(t, "8192", "128"), &os.SyscallError{Syscall: "inotify_init1", Err: syscall.EMFILE})
	le, ok := err.(*LimitError)
	if !ok {
		t.Skipf("not Linux: %v", err)
	}
	if le.Current != 128 || !strings.Contains(err.Error(), "inotify instance limit reached (too many open files): fs.inotify.max_user_instances is 128; raise it with `sudo sysctl fs.inotify.max_user_instances=1024`") {
		t.Errorf("got %s", err)
	}
}
