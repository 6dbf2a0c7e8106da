package system

import "strings"

// sdkPackage is the Go SDK's import path: its frames (the recover in its
// event handler) are not the app's code.
const sdkPackage = "github.com/watchbox/watchbox/guest-sdk/go/watch."

// AppFrame returns "FILE:LINE" of the first frame of a Go stack trace (as
// debug.Stack prints it) that is in the app's own code: after the panic
// call when there is one, and outside the Go runtime and the SDK. It
// returns "" when stack holds no such frame (no stack, or one from another
// language's guest).
func AppFrame(stack string) string {
	lines := strings.Split(stack, "\n")
	start := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			start = i + 1
		}
	}
	for i := start; i+1 < len(lines); i++ {
		fn, file := lines[i], lines[i+1]
		if fn == "" || strings.HasPrefix(fn, "\t") || !strings.HasPrefix(file, "\t") {
			continue
		}
		i++
		if strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "runtime/") || strings.HasPrefix(fn, "panic(") ||
			strings.HasPrefix(fn, sdkPackage) || strings.HasPrefix(fn, "created by ") {
			continue
		}
		file = strings.TrimPrefix(file, "\t")
		if j := strings.Index(file, " +0x"); j >= 0 {
			file = file[:j]
		}
		if j := strings.Index(file, " fp="); j >= 0 { // a fatal error's frames
			file = file[:j]
		}
		return file
	}
	return ""
}
