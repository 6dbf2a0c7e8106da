package abi

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestEnvelopeRoundTrip(t *testing.T) {
	h := Header{Version: Version, Kind: EventBackgroundTasks, ID: 42, Time: -7}
	var w Writer
	mark := w.Begin(FieldTask)
	w.Int(FieldTaskID, 9)
	w.Int(FieldTaskKind, int64(TaskSnapshot))
	w.End(mark)
	w.String(FieldMessage, "héllo")
	w.Bool(FieldSnapshot, true)
	w.Float(FieldLatitude, 51.5)
	w.Blob(FieldUserInfo, []byte(`{"a":1}`))
	env := append(AppendHeader(nil, h), w.Bytes()...)
	if len(env) != HeaderSize+w.Len() {
		t.Fatalf("envelope is %d bytes", len(env))
	}

	got, fields, err := ParseEnvelope(env)
	if err != nil || got != h {
		t.Fatalf("header = %+v, %v", got, err)
	}
	r := NewReader(fields)
	var keys []Field
	for r.Next() {
		v := r.Value()
		keys = append(keys, v.Key)
		switch v.Key {
		case FieldTask:
			rec, err := v.Record()
			if err != nil {
				t.Fatal(err)
			}
			rec.Next()
			if id, _ := rec.Value().Int(); id != 9 {
				t.Errorf("task id = %d", id)
			}
			rec.Next()
			if k, _ := rec.Value().Int(); TaskKind(k) != TaskSnapshot {
				t.Errorf("task kind = %d", k)
			}
			if rec.Next() || rec.Err() != nil {
				t.Errorf("record has more fields or an error: %v", rec.Err())
			}
		case FieldMessage:
			if s, _ := v.Text(); s != "héllo" {
				t.Errorf("message = %q", s)
			}
		case FieldSnapshot:
			if b, _ := v.Bool(); !b {
				t.Error("snapshot = false")
			}
		case FieldLatitude:
			if f, _ := v.Float(); f != 51.5 {
				t.Errorf("latitude = %v", f)
			}
		case FieldUserInfo:
			if b, _ := v.Blob(); !bytes.Equal(b, []byte(`{"a":1}`)) {
				t.Errorf("user info = %q", b)
			}
		}
	}
	if r.Err() != nil || len(keys) != 5 {
		t.Fatalf("keys %v, err %v", keys, r.Err())
	}
}

func TestDecoderRejectsMalformedData(t *testing.T) {
	if _, _, err := ParseEnvelope(make([]byte, HeaderSize-1)); !errors.Is(err, ErrShort) {
		t.Errorf("short header: %v", err)
	}
	env := AppendHeader(nil, Header{Version: 2})
	if _, _, err := ParseEnvelope(env); !errors.Is(err, ErrVersion) {
		t.Errorf("version 2: %v", err)
	}
	var w Writer
	w.String(FieldMessage, "abcdef")
	truncated := w.Bytes()[:w.Len()-1]
	r := NewReader(truncated)
	if r.Next() || !errors.Is(r.Err(), ErrShort) {
		t.Errorf("truncated value: next ok, err %v", r.Err())
	}
	r = NewReader([]byte{1, 0, 1})
	if r.Next() || !errors.Is(r.Err(), ErrShort) {
		t.Errorf("truncated header: err %v", r.Err())
	}
	v := Value{Key: FieldTaskID, Type: TypeBytes, Data: []byte("x")}
	if _, err := v.Int(); !errors.Is(err, ErrFieldType) {
		t.Errorf("Int of bytes: %v", err)
	}
	if _, err := (Value{Type: TypeBool, Data: []byte{2}}).Bool(); !errors.Is(err, ErrFieldType) {
		t.Errorf("bool 2: %v", err)
	}
}

func TestNamesAreDefinedForEveryConstant(t *testing.T) {
	for _, k := range EventKinds() {
		if k.String() == "" || k.String()[0] == 'e' && k.String()[:6] == "event(" {
			t.Errorf("event %d has no name", k)
		}
	}
	if EventKind(999).String() != "event(999)" || Status(-3).String() != "status(-3)" {
		t.Error("unknown values must print their number")
	}
	for _, f := range Imports {
		if _, ok := LookupImport(f.Name); !ok || f.Since < 1 || f.Since > Version {
			t.Errorf("import %s", f.Name)
		}
	}
	if got := (Func{Params: []ValueType{I32, I64}, Results: []ValueType{I32}}).Signature(); got != "(i32, i64) -> i32" {
		t.Errorf("signature = %q", got)
	}
}

// FuzzReader checks that no input makes the decoder panic or loop.
func FuzzReader(f *testing.F) {
	var w Writer
	m := w.Begin(FieldTask)
	w.Int(FieldTaskID, 1)
	w.End(m)
	w.String(FieldMessage, "x")
	f.Add(w.Bytes())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var walk func(r Reader, depth int)
		walk = func(r Reader, depth int) {
			for n := 0; r.Next(); n++ {
				if n > len(b) {
					t.Fatal("more fields than bytes")
				}
				v := r.Value()
				v.Int()
				v.Bool()
				v.Float()
				v.Text()
				if rec, err := v.Record(); err == nil && depth < 8 {
					walk(rec, depth+1)
				}
			}
		}
		walk(NewReader(b), 0)
		ParseEnvelope(b)
	})
}

func TestSessionIDProblem(t *testing.T) {
	for id, want := range map[string]string{
		"forecast-1.json":        "",
		"a b":                    "has a space",
		"":                       "is empty",
		"..":                     "is not a file name",
		"a/b":                    "has the character / (only letters, digits, '-', '_' and '.' are allowed)",
		"caf\u00e9":              "has a non-ASCII character \u00e9",
		"a\tb":                   "has a control character",
		"a\x00":                  "has a control character",
		strings.Repeat("x", 129): "is longer than 128 bytes",
		strings.Repeat("x", 128): "",
	} {
		if got := SessionIDProblem(id); got != want {
			t.Errorf("SessionIDProblem(%q) = %q, want %q", id, got, want)
		}
		if ValidSessionID(id) != (want == "") {
			t.Errorf("ValidSessionID(%q) = %v", id, ValidSessionID(id))
		}
	}
}
