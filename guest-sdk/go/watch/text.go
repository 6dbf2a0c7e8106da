package watch

import (
	"reflect"
	"strconv"
)

// The SDK's own messages are built with strconv and concatenation, not
// package fmt: an app that prints nothing itself (the Printf family here
// is what reaches fmt) then links no fmt, and with it most of reflect
// (docs/performance.md, "Go module size").

// typeName is fmt's %T of v: "main.app", "*main.app", "<nil>".
func typeName(v any) string {
	if v == nil {
		return "<nil>"
	}
	return reflect.TypeOf(v).String()
}

// panicText is a recovered panic value as fmt's %v prints it, for the
// values panics carry: errors and Stringers by their method, strings,
// booleans and numbers (named or not) by their value. Other values (a
// struct, a slice, a map) are shown as Go's runtime shows them in an
// uncaught panic, by type only: "(main.T)".
func panicText(r any) (s string) {
	defer func() {
		// fmt reports a String or Error method that panics in the
		// text; so does this.
		if p := recover(); p != nil {
			s = "%!v(PANIC=" + methodName(r) + " method: " + panicText(p) + ")"
		}
	}()
	switch v := r.(type) {
	case error:
		return v.Error()
	case interface{ String() string }:
		return v.String()
	case string:
		return v
	}
	rv := reflect.ValueOf(r)
	switch rv.Kind() {
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10)
	case reflect.Float32:
		return strconv.FormatFloat(rv.Float(), 'g', -1, 32)
	case reflect.Float64:
		return strconv.FormatFloat(rv.Float(), 'g', -1, 64)
	}
	return "(" + typeName(r) + ")"
}

// methodName names the method panicText called on r.
func methodName(r any) string {
	if _, ok := r.(error); ok {
		return "Error"
	}
	return "String"
}

// wrapError is fmt.Errorf("...: %w", err) without fmt: its text, and err
// for errors.Is and errors.As.
type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg }
func (e *wrapError) Unwrap() error { return e.err }
