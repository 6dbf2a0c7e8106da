package msg_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/abi/msg/msgtest"
)

// TestGoldenRoundTrip: every golden value encodes to the bytes the v1 host
// or SDK wrote by hand, and those bytes decode back to the value.
func TestGoldenRoundTrip(t *testing.T) {
	for _, c := range msgtest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			if got := c.Value.Encode(nil); !bytes.Equal(got, c.Wire) {
				t.Errorf("Encode:\n got  % x\n want % x", got, c.Wire)
			}
			// Encode appends.
			if got := c.Value.Encode([]byte{0xaa}); len(got) != 1+len(c.Wire) || got[0] != 0xaa {
				t.Errorf("Encode(dst) does not append to dst: % x", got)
			}
			m := c.New()
			if reflect.TypeOf(m) != reflect.TypeOf(c.Value) {
				t.Fatalf("the registry gives %T for this case, the table %T", m, c.Value)
			}
			if err := m.Decode(c.Wire); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(m, c.Value) {
				t.Errorf("Decode:\n got  %+v\n want %+v", m, c.Value)
			}
			// Decode replaces: decoding into a used value leaves nothing behind.
			if err := m.Decode(c.Wire); err != nil || !reflect.DeepEqual(m, c.Value) {
				t.Errorf("second Decode into the same value: %+v, %v", m, err)
			}
		})
	}
}

// TestFirstOccurrenceWins: a second copy of every single-valued field, with
// another value or another wire type, at every level, changes nothing.
func TestFirstOccurrenceWins(t *testing.T) {
	n := 0
	for _, c := range msgtest.Cases() {
		if len(c.Wire) == 0 {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			w := msgtest.Repeats(c.Wire, c.Value.Spec())
			if len(w) <= len(c.Wire) {
				t.Fatalf("Repeats added nothing")
			}
			m := c.New()
			if err := m.Decode(w); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(m, c.Value) {
				t.Errorf("with repeats:\n got  %+v\n want %+v", m, c.Value)
			}
		})
	}
	if n < 30 {
		t.Errorf("only %d cases have fields", n)
	}
}

// The case from issue 8: a schedule request with two dates, 01:00 then
// 02:00, is for 01:00.
func TestTwoDatesFirstWins(t *testing.T) {
	const h1, h2 = int64(3600e9), int64(7200e9)
	var w abi.Writer
	w.Int(abi.FieldDate, h1)
	w.Int(abi.FieldDate, h2)
	var a msg.ScheduleRefresh
	if err := a.Decode(w.Bytes()); err != nil || a.Date != h1 {
		t.Errorf("Decode = %+v, %v; want the first date, 01:00", a, err)
	}
}

func TestMalformed(t *testing.T) {
	n := 0
	for _, c := range msgtest.Cases() {
		for _, bad := range msgtest.Malformeds(c) {
			n++
			m := c.New()
			err := m.Decode(bad.Wire)
			var e *msg.Error
			if !errors.As(err, &e) {
				t.Errorf("%s, %s: Decode = %v, want a *msg.Error", c.Name, bad.What, err)
				continue
			}
			if !errors.Is(err, bad.Err) || e.Field != bad.Field || e.Msg != m.Spec().Name {
				t.Errorf("%s, %s: Decode = %#v, want message %q, field %q, %v", c.Name, bad.What, e, m.Spec().Name, bad.Field, bad.Err)
			}
			if !strings.HasPrefix(err.Error(), m.Spec().Name+": ") {
				t.Errorf("%s, %s: error %q does not start with the message's name", c.Name, bad.What, err)
			}
		}
	}
	if n < 60 {
		t.Errorf("only %d malformed cases", n)
	}
}

func TestErrorMessages(t *testing.T) {
	var w abi.Writer
	w.String(abi.FieldDate, "tomorrow")
	var s msg.ScheduleRefresh
	if err := s.Decode(w.Bytes()); err == nil || err.Error() != "schedule_background_refresh: date: wire type bytes with 8 bytes, want int" {
		t.Errorf("wrong type: %v", err)
	}
	if err := s.Decode(nil); err == nil || err.Error() != "schedule_background_refresh: date: missing (int field 8 is required)" {
		t.Errorf("missing: %v", err)
	}
	if err := s.Decode([]byte{8, 0, 1, 0, 8, 0, 0}); err == nil ||
		err.Error() != "schedule_background_refresh: malformed fields at byte 0: a header or value is cut short" || !errors.Is(err, abi.ErrShort) {
		t.Errorf("short: %v", err)
	}

	// Inside a record, the path names the element and the field.
	w.Reset()
	for i, kind := range []int64{1, 70000} {
		m := w.Begin(abi.FieldTask)
		w.Int(abi.FieldTaskID, int64(i+1))
		w.Int(abi.FieldTaskKind, kind)
		w.End(m)
	}
	var bt msg.BackgroundTasks
	err := bt.Decode(w.Bytes())
	if err == nil || err.Error() != "background_tasks: task[1].task_kind: 70000 is out of range" || !errors.Is(err, msg.ErrRange) {
		t.Errorf("record: %v", err)
	}
	w.Reset()
	w.Int(abi.FieldAppState, -1)
	var ai msg.AppInfo
	if err := ai.Decode(w.Bytes()); !errors.Is(err, msg.ErrRange) {
		t.Errorf("negative state: %v", err)
	}
	w.Reset()
	w.Bool(abi.FieldCold, true)
	b := w.Bytes()
	b[len(b)-1] = 2
	if err := ai.Decode(b); err == nil || !strings.Contains(err.Error(), "app_info_result: cold: wire type bool") {
		t.Errorf("bool 2: %v", err)
	}
}

// Unknown keys are skipped at every level, unknown wire types included.
func TestUnknownKeysSkipped(t *testing.T) {
	var w abi.Writer
	w.String(999, "later")
	m := w.Begin(abi.FieldTask)
	w.Int(abi.FieldTaskID, 4)
	w.Bool(1000, true)
	w.Int(abi.FieldTaskKind, int64(abi.TaskSnapshot))
	w.End(m)
	b := append(w.Bytes(), 0xe8, 0x03, 9, 0, 1, 0, 0, 0, 0) // key 1000, wire type 9
	var bt msg.BackgroundTasks
	if err := bt.Decode(b); err != nil || !reflect.DeepEqual(bt.Tasks, []msg.Task{{ID: 4, Kind: abi.TaskSnapshot}}) {
		t.Errorf("Decode = %+v, %v", bt, err)
	}
}

// Optional fields are left out at their zero value; With ties status_code
// to session_identifier; an empty but non-nil []byte is written.
func TestPresence(t *testing.T) {
	keys := func(b []byte) []abi.Field {
		var ks []abi.Field
		r := abi.NewReader(b)
		for r.Next() {
			ks = append(ks, r.Value().Key)
		}
		return ks
	}
	if got := keys(msg.Notification{}.Encode(nil)); !reflect.DeepEqual(got, []abi.Field{abi.FieldIdentifier, abi.FieldTitle, abi.FieldBody}) {
		t.Errorf("zero notification keys = %v", got)
	}
	if got := keys(msg.Notification{UserInfo: []byte{}}.Encode(nil)); len(got) != 4 || got[3] != abi.FieldUserInfo {
		t.Errorf("empty user info: keys = %v", got)
	}
	rec := func(task msg.Task) []abi.Field {
		b := msg.BackgroundTasks{Tasks: []msg.Task{task}}.Encode(nil)
		return keys(b[abi.FieldHeaderSize:])
	}
	if got := rec(msg.Task{ID: 1, Kind: abi.TaskURLSession, Session: "s"}); !reflect.DeepEqual(got,
		[]abi.Field{abi.FieldTaskID, abi.FieldTaskKind, abi.FieldSessionIdentifier, abi.FieldStatusCode}) {
		t.Errorf("session task keys = %v", got)
	}
	if got := rec(msg.Task{ID: 1, Kind: abi.TaskSnapshot, StatusCode: 0}); len(got) != 2 {
		t.Errorf("snapshot task keys = %v", got)
	}
}

// Every spec is consistent: each key once per message, wire types as
// docs/abi.md section 14 gives them, With naming an earlier optional's
// partner, records with a spec; and every defined event kind and operation
// has a type.
func TestSpecs(t *testing.T) {
	names := map[string]bool{}
	for _, s := range msg.Specs() {
		if names[s.Name] {
			t.Errorf("two specs named %s", s.Name)
		}
		names[s.Name] = true
		if len(s.Fields) > 64 {
			t.Errorf("%s: %d fields; the codec tracks at most 64", s.Name, len(s.Fields))
		}
		seen := map[abi.Field]bool{}
		for _, f := range s.Fields {
			if seen[f.Key] {
				t.Errorf("%s: key %v twice", s.Name, f.Key)
			}
			seen[f.Key] = true
			if typ, ok := msg.KeyType(f.Key); !ok || typ != f.Type {
				t.Errorf("%s: %v has wire type %v, the key's is %v", s.Name, f.Key, f.Type, typ)
			}
			if f.With != 0 && !seen[f.With] {
				t.Errorf("%s: %v is written with %v, which does not come before it", s.Name, f.Key, f.With)
			}
			if (f.Type == abi.TypeRecord) != (f.Record != nil) || (f.Presence == msg.Repeated) != (f.Type == abi.TypeRecord) {
				t.Errorf("%s: %v: record spec and repeated presence disagree", s.Name, f.Key)
			}
			if f.Record != nil {
				// The codec handles records one level deep, with a case
				// per record type: today only task.
				if f.Record.Name != "task" {
					t.Errorf("%s: %v: record %s has no case in the codec", s.Name, f.Key, f.Record.Name)
				}
				for _, g := range f.Record.Fields {
					if g.Presence == msg.Repeated {
						t.Errorf("%s: record %s holds a record (%v); the codec is one level deep", s.Name, f.Record.Name, g.Key)
					}
				}
			}
		}
	}
	for _, k := range abi.Fields() {
		if _, ok := msg.KeyType(k); !ok {
			t.Errorf("key %v has no wire type", k)
		}
	}
	for _, k := range abi.EventKinds() {
		if msg.ForEvent(k) == nil {
			t.Errorf("event %v has no payload type", k)
		} else if !names[msg.ForEvent(k).Spec().Name] {
			t.Errorf("event %v: spec %s is not in Specs", k, msg.ForEvent(k).Spec().Name)
		}
	}
	for _, op := range abi.Ops() {
		a, r := msg.ForOp(op)
		if a == nil || r == nil {
			t.Errorf("op %v has no argument or result type", op)
		}
	}
	if msg.ForEvent(999) != nil {
		t.Error("ForEvent(999) is not nil")
	}
	if a, r := msg.ForOp(999); a != nil || r != nil {
		t.Error("ForOp(999) is not nil")
	}
}

func TestRefuse(t *testing.T) {
	b := msg.Refuse("no")
	var r msg.Refusal
	if err := r.Decode(b); err != nil || r.Reason != "no" {
		t.Errorf("Refuse round trip = %+v, %v", r, err)
	}
	// A refusal is not a result of any op: an old reader of the op's
	// result finds none of its fields in it.
	var info msg.AppInfo
	if err := info.Decode(b); err != nil || !reflect.DeepEqual(info, msg.AppInfo{}) {
		t.Errorf("app_info result from a refusal = %+v, %v", info, err)
	}
}
