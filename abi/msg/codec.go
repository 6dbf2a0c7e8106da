package msg

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/watchbox/watchbox/abi"
)

// Errors wrapped by *Error, for errors.Is.
var (
	// ErrMissing: a Required field is absent.
	ErrMissing = errors.New("missing")
	// ErrWireType: a field's wire type or size is not its key's.
	ErrWireType = errors.New("wrong wire type")
	// ErrRange: an integer does not fit its enumeration.
	ErrRange = errors.New("out of range")
)

// Error is a decoding error: which message, which field, what was wrong.
type Error struct {
	// Msg is the name of the message being decoded (Spec.Name).
	Msg string
	// Field is the path of the offending field below Msg, such as "date"
	// or "task[1].task_id"; empty when the framing itself is broken.
	Field string
	// Detail describes the problem in words.
	Detail string
	// Err is ErrMissing, ErrWireType, ErrRange or abi.ErrShort.
	Err error
}

// Error returns "MSG: FIELD: DETAIL".
func (e *Error) Error() string {
	s := e.Msg + ": "
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + e.Detail
}

// Unwrap returns the kind of problem.
func (e *Error) Unwrap() error { return e.Err }

// The codec is two levels deep and not recursive: encode and decode handle
// a message and its record fields, encodeFlat and decodeFlat the fields of
// one record (or of a message without records). Without recursion and
// without interface calls the compiler keeps the bound values (bind's []any
// and what it points to) on the stack, which matters in a Wasm guest.
// Records hold no records in ABI v1 (TestSpecs checks it).

// encode appends the fields of a message to w. ptrs holds one pointer per
// field of s, in order (see bind).
func encode(w *abi.Writer, s *Spec, ptrs []any) {
	var written uint64
	for i := range s.Fields {
		f := &s.Fields[i]
		if f.Presence != Repeated {
			putField(w, s, i, ptrs[i], &written)
			continue
		}
		ts := ptrs[i].(*[]Task) // one case per record type; v1 has one
		for j := range *ts {
			mark := w.Begin(f.Key)
			encodeFlat(w, taskSpec, (*ts)[j].bind())
			w.End(mark)
		}
	}
}

// encodeFlat is encode for specs without records.
func encodeFlat(w *abi.Writer, s *Spec, ptrs []any) {
	var written uint64
	for i := range s.Fields {
		putField(w, s, i, ptrs[i], &written)
	}
}

// putField appends field i of s, whose value p points to, unless it is
// Optional, zero, and not tied (With) to a field already written.
func putField(w *abi.Writer, s *Spec, i int, p any, written *uint64) {
	f := &s.Fields[i]
	if f.Presence == Optional && isZero(p) {
		if f.With == 0 || *written&(1<<s.index(f.With)) == 0 {
			return
		}
	}
	put(w, f.Key, p)
	*written |= 1 << i
}

// encodeTo is the body of every Encode method.
func encodeTo(dst []byte, s *Spec, ptrs []any) []byte {
	w := abi.NewWriter(dst)
	encode(w, s, ptrs)
	return w.Bytes()
}

// decode reads b into the Go values ptrs points to, which the caller has
// zeroed: first the single-valued fields (decodeFlat), then each record.
func decode(b []byte, s *Spec, ptrs []any) error {
	if err := decodeFlat(b, s, ptrs); err != nil {
		return err
	}
	for i := range s.Fields {
		f := &s.Fields[i]
		if f.Presence != Repeated {
			continue
		}
		ts := ptrs[i].(*[]Task) // one case per record type; v1 has one
		*ts = slices.Grow(*ts, count(b, f.Key))
		r := abi.NewReader(b) // well-formed: decodeFlat checked it
		for r.Next() {
			v := r.Value()
			if v.Key != f.Key {
				continue
			}
			if v.Type != abi.TypeRecord {
				return &Error{Msg: s.Name, Field: f.Key.String(), Detail: wireDetail(f, v), Err: ErrWireType}
			}
			*ts = append(*ts, Task{})
			if err := decodeFlat(v.Data, taskSpec, (*ts)[len(*ts)-1].bind()); err != nil {
				return nest(s.Name, f.Key.String()+"["+strconv.Itoa(len(*ts)-1)+"]", err)
			}
		}
	}
	return nil
}

// decodeFlat reads the single-valued fields of b into the Go values ptrs
// points to and checks that b is well-formed; it leaves Repeated fields to
// decode. This is the one place that applies the field rules of
// docs/abi.md section 9, the first-occurrence rule among them.
func decodeFlat(b []byte, s *Spec, ptrs []any) error {
	var seen uint64
	r := abi.NewReader(b)
	for r.Next() {
		v := r.Value()
		i := s.index(v.Key)
		if i < 0 {
			continue // unknown keys are skipped
		}
		f := &s.Fields[i]
		if f.Presence == Repeated {
			continue // decode's
		}
		if seen&(1<<i) != 0 {
			continue // a repeat of a single-valued field: the first occurrence wins
		}
		seen |= 1 << i
		if detail, err := set(ptrs[i], f, v); err != nil {
			return &Error{Msg: s.Name, Field: f.Key.String(), Detail: detail, Err: err}
		}
	}
	if err := r.Err(); err != nil {
		return &Error{Msg: s.Name, Detail: "malformed fields at byte " + strconv.Itoa(r.Offset()) + ": a header or value is cut short", Err: err}
	}
	for i := range s.Fields {
		if f := &s.Fields[i]; f.Presence == Required && seen&(1<<i) == 0 {
			return &Error{Msg: s.Name, Field: f.Key.String(), Detail: "missing (" + f.Type.String() + " field " + strconv.Itoa(int(f.Key)) + " is required)", Err: ErrMissing}
		}
	}
	return nil
}

// count returns the number of fields with key in b.
func count(b []byte, key abi.Field) int {
	n := 0
	r := abi.NewReader(b)
	for r.Next() {
		if r.Value().Key == key {
			n++
		}
	}
	return n
}

// nest turns an error inside a record into one of the enclosing message.
func nest(msgName, path string, err error) error {
	if e := asError(err); e != nil {
		p := path
		if e.Field != "" {
			p += "." + e.Field
		}
		return &Error{Msg: msgName, Field: p, Detail: e.Detail, Err: e.Err}
	}
	return &Error{Msg: msgName, Field: path, Detail: err.Error(), Err: err}
}

// asError is errors.As(err, &e) for the codec's own errors, which wrap
// with Unwrap() error only; errors.As would link internal/reflectlite
// into every guest.
func asError(err error) *Error {
	for ; err != nil; err = errors.Unwrap(err) {
		if e, ok := err.(*Error); ok {
			return e
		}
	}
	return nil
}

func wireDetail(f *FieldSpec, v abi.Value) string {
	return "wire type " + v.Type.String() + " with " + strconv.Itoa(len(v.Data)) + " bytes, want " + f.Type.String()
}

// isZero reports whether the value p points to is its type's zero value.
func isZero(p any) bool {
	switch p := p.(type) {
	case *int64:
		return *p == 0
	case *time.Duration:
		return *p == 0
	case *abi.TaskKind:
		return *p == 0
	case *abi.SnapshotReason:
		return *p == 0
	case *abi.State:
		return *p == 0
	case *string:
		return *p == ""
	case *[]byte:
		return *p == nil
	case *bool:
		return !*p
	case *float64:
		return *p == 0 && !math.Signbit(*p)
	}
	panic(unbound(p))
}

// put appends the value p points to as field key.
func put(w *abi.Writer, key abi.Field, p any) {
	switch p := p.(type) {
	case *int64:
		w.Int(key, *p)
	case *time.Duration:
		w.Int(key, int64(*p))
	case *abi.TaskKind:
		w.Int(key, int64(*p))
	case *abi.SnapshotReason:
		w.Int(key, int64(*p))
	case *abi.State:
		w.Int(key, int64(*p))
	case *string:
		w.String(key, *p)
	case *[]byte:
		w.Blob(key, *p)
	case *bool:
		w.Bool(key, *p)
	case *float64:
		w.Float(key, *p)
	default:
		panic(unbound(p))
	}
}

// set stores v in the value p points to. It checks v's wire type against
// f's, so that a field is never read as a different value.
func set(p any, f *FieldSpec, v abi.Value) (string, error) {
	if v.Type != f.Type {
		return wireDetail(f, v), ErrWireType
	}
	switch p := p.(type) {
	case *string:
		*p = string(v.Data)
		return "", nil
	case *[]byte:
		*p = append([]byte{}, v.Data...) // present, so never nil
		return "", nil
	case *bool:
		b, err := v.Bool()
		if err != nil {
			return wireDetail(f, v) + " (one byte, 0 or 1)", ErrWireType
		}
		*p = b
		return "", nil
	case *float64:
		x, err := v.Float()
		if err != nil {
			return wireDetail(f, v) + " (8 bytes)", ErrWireType
		}
		*p = x
		return "", nil
	}
	n, err := v.Int()
	if err != nil {
		return wireDetail(f, v) + " (8 bytes)", ErrWireType
	}
	switch p := p.(type) {
	case *int64:
		*p = n
	case *time.Duration:
		*p = time.Duration(n)
	case *abi.TaskKind:
		return setEnum(p, n)
	case *abi.SnapshotReason:
		return setEnum(p, n)
	case *abi.State:
		return setEnum(p, n)
	default:
		panic(unbound(p))
	}
	return "", nil
}

func setEnum[T ~uint8 | ~uint16](p *T, n int64) (string, error) {
	if int64(T(n)) != n {
		return strconv.FormatInt(n, 10) + " is out of range", ErrRange
	}
	*p = T(n)
	return "", nil
}

// unbound is the panic of a binding the codec has no case for: a bug in
// this package, caught by its tests.
func unbound(any) string {
	return "msg: a field is bound to a Go type the codec does not know"
}
