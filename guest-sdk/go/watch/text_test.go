package watch

import (
	"errors"
	"fmt"
	"testing"

	"github.com/watchbox/watchbox/abi"
)

type panicCode int

type panicPoint struct{ X, Y int }

type badStringer struct{}

func (badStringer) String() string { panic("no name") }

// TestPanicTextIsFmts: a recovered panic reads as fmt's %v of the value
// for the values panics carry, so the reply's text did not change when
// the SDK stopped using fmt.
func TestPanicTextIsFmts(t *testing.T) {
	t.Parallel()
	for _, v := range []any{
		"boom", errors.New("bad thing"), abi.EventDidBecomeActive, 42, panicCode(7), int8(-3),
		uint64(1 << 63), uintptr(9), true, 1.5, float32(0.1), 1e21, []byte("x")[0],
	} {
		if got, want := panicText(v), fmt.Sprintf("%v", v); got != want {
			t.Errorf("panicText(%#v) = %q, fmt says %q", v, got, want)
		}
	}
	if got := panicText(panicPoint{1, 2}); got != "(watch.panicPoint)" {
		t.Errorf("a struct: %q", got)
	}
	if got, want := panicText(badStringer{}), fmt.Sprintf("%v", badStringer{}); got != want {
		t.Errorf("a String method that panics: %q, fmt says %q", got, want)
	}
}

// TestResultErrorWraps: errors the SDK wraps without fmt.Errorf keep
// fmt's text and still unwrap.
func TestResultErrorWraps(t *testing.T) {
	t.Parallel()
	cause := errors.New("short")
	err := resultError(abi.OpAppInfo, cause)
	if want := fmt.Errorf("watch: %v: cannot decode the result: %w", abi.OpAppInfo, cause).Error(); err.Error() != want {
		t.Errorf("%q, want %q", err, want)
	}
	if !errors.Is(err, cause) {
		t.Errorf("%v does not unwrap to its cause", err)
	}
}

// TestStatusErrorText: StatusError's text is what fmt made of it.
func TestStatusErrorText(t *testing.T) {
	t.Parallel()
	for _, e := range []*StatusError{
		{Op: abi.OpAppInfo, Status: abi.StatusLimit},
		{Op: abi.OpAppInfo, Status: abi.StatusLimit, Reason: "too many"},
		{Op: abi.OpAppInfo, Status: abi.StatusLimit, Reason: "app_info: too many"},
	} {
		var want string
		switch {
		case e.Reason == "":
			want = fmt.Sprintf("watch: %v request failed: %v", e.Op, e.Status)
		case e.Reason[0] == 'a':
			want = fmt.Sprintf("watch: %s (%v)", e.Reason, e.Status)
		default:
			want = fmt.Sprintf("watch: %v: %s (%v)", e.Op, e.Reason, e.Status)
		}
		if got := e.Error(); got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}
