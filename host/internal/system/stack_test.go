package system

import "testing"

func TestAppFrame(t *testing.T) {
	t.Parallel()
	const goStack = `goroutine 1 [running]:
runtime/debug.Stack()
	/usr/local/go/src/runtime/debug/stack.go:26 +0x5
github.com/watchbox/watchbox/guest-sdk/go/watch.handle.func1()
	/src/watchbox/guest-sdk/go/watch/watch.go:160 +0x11
panic({0x1a2c0, 0x3f1e8})
	/usr/local/go/src/runtime/panic.go:792 +0x1d
main.do({0x8a2f1, 0xf}, {0x8a1a4, 0x5}, {0x0, 0x0, 0x0})
	/src/app/main.go:140 +0x2c
main.act({0x8a2f1, 0xf})
	/src/app/main.go:133 +0x7
`
	for _, tc := range []struct{ name, stack, want string }{
		{"panic", goStack, "/src/app/main.go:140"},
		{"no stack", "", ""},
		{"not Go", "some C guest's details", ""},
		{"only runtime", "goroutine 1 [running]:\nruntime/debug.Stack()\n\t/go/src/runtime/debug/stack.go:26 +0x5\n", ""},
		{"no panic line", "goroutine 1 [running]:\nmain.f()\n\t/src/app/main.go:9 +0x1\n", "/src/app/main.go:9"},
	} {
		if got := AppFrame(tc.stack); got != tc.want {
			t.Errorf("%s: AppFrame = %q, want %q", tc.name, got, tc.want)
		}
	}
}
