package abi

import (
	"encoding/binary"
	"errors"
	"math"
)

// Type is the wire type of an encoded field's value.
type Type uint8

// Wire types.
const (
	TypeInt    Type = 1 // 8 bytes, little-endian two's complement int64
	TypeBytes  Type = 2 // any bytes; UTF-8 where the field is text
	TypeBool   Type = 3 // 1 byte, 0 or 1
	TypeFloat  Type = 4 // 8 bytes, little-endian IEEE 754 binary64
	TypeRecord Type = 5 // nested fields
)

// String returns the wire type's name.
func (t Type) String() string {
	switch t {
	case TypeInt:
		return "int"
	case TypeBytes:
		return "bytes"
	case TypeBool:
		return "bool"
	case TypeFloat:
		return "float"
	case TypeRecord:
		return "record"
	}
	return "type(" + itoa(int64(t)) + ")"
}

// FieldHeaderSize is the size of a field's header: key u16, type u8,
// reserved u8 (zero), value length u32.
const FieldHeaderSize = 8

// HeaderSize is the size of an event envelope's fixed header.
const HeaderSize = 24

// MaxEnvelope is the largest event envelope a host sends: a guest with a
// buffer this size never needs to grow it.
const MaxEnvelope = 64 << 10

// Header is the fixed part of an event envelope.
//
//	offset size
//	0      2    version (u16), the ABI version of the encoding: 1
//	2      2    kind    (u16), an EventKind
//	4      4    flags   (u32), zero in version 1
//	8      8    id      (u64), increases with every event of an app instance
//	16     8    time    (i64), the host clock in Unix nanoseconds at delivery
//
// The fields follow the header up to the end of the envelope.
type Header struct {
	Version uint16
	Kind    EventKind
	Flags   uint32
	ID      uint64
	Time    int64
}

// Errors returned by the decoder.
var (
	ErrShort     = errors.New("abi: data ends inside a header or value")
	ErrVersion   = errors.New("abi: unsupported envelope version")
	ErrFieldType = errors.New("abi: field has the wrong wire type or size")
)

// AppendHeader appends the encoded header h to dst.
func AppendHeader(dst []byte, h Header) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, h.Version)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(h.Kind))
	dst = binary.LittleEndian.AppendUint32(dst, h.Flags)
	dst = binary.LittleEndian.AppendUint64(dst, h.ID)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(h.Time))
	return dst
}

// ParseEnvelope splits an event envelope into its header and its encoded
// fields. It rejects envelopes of another version.
func ParseEnvelope(b []byte) (Header, []byte, error) {
	if len(b) < HeaderSize {
		return Header{}, nil, ErrShort
	}
	h := Header{
		Version: binary.LittleEndian.Uint16(b[0:]),
		Kind:    EventKind(binary.LittleEndian.Uint16(b[2:])),
		Flags:   binary.LittleEndian.Uint32(b[4:]),
		ID:      binary.LittleEndian.Uint64(b[8:]),
		Time:    int64(binary.LittleEndian.Uint64(b[16:])),
	}
	if h.Version != Version {
		return h, nil, ErrVersion
	}
	return h, b[HeaderSize:], nil
}

// Writer appends encoded fields to a byte slice. The zero value is ready to
// use; Reset keeps the buffer for reuse.
type Writer struct {
	buf []byte
}

// NewWriter returns a Writer that appends to buf.
func NewWriter(buf []byte) *Writer { return &Writer{buf: buf} }

// Bytes returns the encoded data.
func (w *Writer) Bytes() []byte { return w.buf }

// Len returns the number of encoded bytes.
func (w *Writer) Len() int { return len(w.buf) }

// Reset empties the writer, keeping its buffer.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

func (w *Writer) header(key Field, t Type, n int) {
	w.buf = binary.LittleEndian.AppendUint16(w.buf, uint16(key))
	w.buf = append(w.buf, byte(t), 0)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(n))
}

// Int appends an int field.
func (w *Writer) Int(key Field, v int64) {
	w.header(key, TypeInt, 8)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, uint64(v))
}

// Float appends a float field.
func (w *Writer) Float(key Field, v float64) {
	w.header(key, TypeFloat, 8)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(v))
}

// Bool appends a bool field.
func (w *Writer) Bool(key Field, v bool) {
	w.header(key, TypeBool, 1)
	if v {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}

// Blob appends a bytes field.
func (w *Writer) Blob(key Field, v []byte) {
	w.header(key, TypeBytes, len(v))
	w.buf = append(w.buf, v...)
}

// String appends a bytes field holding s.
func (w *Writer) String(key Field, s string) {
	w.header(key, TypeBytes, len(s))
	w.buf = append(w.buf, s...)
}

// Begin starts a record field; fields appended until the matching End are
// its contents. It returns a mark to pass to End.
func (w *Writer) Begin(key Field) int {
	mark := len(w.buf)
	w.header(key, TypeRecord, 0)
	return mark
}

// End closes the record started at mark by Begin.
func (w *Writer) End(mark int) {
	n := len(w.buf) - mark - FieldHeaderSize
	binary.LittleEndian.PutUint32(w.buf[mark+4:], uint32(n))
}

// Value is one decoded field. Its accessors check the wire type.
type Value struct {
	Key  Field
	Type Type
	Data []byte // the raw value, aliasing the decoded buffer
}

// Int returns an int field's value.
func (v Value) Int() (int64, error) {
	if v.Type != TypeInt || len(v.Data) != 8 {
		return 0, ErrFieldType
	}
	return int64(binary.LittleEndian.Uint64(v.Data)), nil
}

// Float returns a float field's value.
func (v Value) Float() (float64, error) {
	if v.Type != TypeFloat || len(v.Data) != 8 {
		return 0, ErrFieldType
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(v.Data)), nil
}

// Bool returns a bool field's value.
func (v Value) Bool() (bool, error) {
	if v.Type != TypeBool || len(v.Data) != 1 || v.Data[0] > 1 {
		return false, ErrFieldType
	}
	return v.Data[0] == 1, nil
}

// Blob returns a bytes field's value, aliasing the decoded buffer.
func (v Value) Blob() ([]byte, error) {
	if v.Type != TypeBytes {
		return nil, ErrFieldType
	}
	return v.Data, nil
}

// Text returns a bytes field's value as a string (a copy).
func (v Value) Text() (string, error) {
	b, err := v.Blob()
	return string(b), err
}

// Record returns a Reader over a record field's contents.
func (v Value) Record() (Reader, error) {
	if v.Type != TypeRecord {
		return Reader{}, ErrFieldType
	}
	return NewReader(v.Data), nil
}

// Reader iterates over encoded fields:
//
//	r := abi.NewReader(data)
//	for r.Next() {
//		v := r.Value()
//		...
//	}
//	if err := r.Err(); err != nil { ... }
//
// Readers skip nothing: callers ignore keys they do not know, which is how
// newer hosts add fields without breaking older guests.
type Reader struct {
	data []byte
	off  int
	cur  Value
	err  error
}

// NewReader returns a Reader over data.
func NewReader(data []byte) Reader { return Reader{data: data} }

// Next advances to the next field. It returns false at the end of the data or
// on malformed data; Err tells which.
func (r *Reader) Next() bool {
	if r.err != nil || r.off >= len(r.data) {
		return false
	}
	rest := r.data[r.off:]
	if len(rest) < FieldHeaderSize {
		r.err = ErrShort
		return false
	}
	n := binary.LittleEndian.Uint32(rest[4:])
	if uint64(n) > uint64(len(rest)-FieldHeaderSize) {
		r.err = ErrShort
		return false
	}
	end := FieldHeaderSize + int(n)
	r.cur = Value{
		Key:  Field(binary.LittleEndian.Uint16(rest)),
		Type: Type(rest[2]),
		Data: rest[FieldHeaderSize:end:end],
	}
	r.off += end
	return true
}

// Value returns the current field.
func (r *Reader) Value() Value { return r.cur }

// Err returns the decoding error that stopped Next, if any.
func (r *Reader) Err() error { return r.err }

// Offset returns the byte offset of the next field, for error messages.
func (r *Reader) Offset() int { return r.off }
