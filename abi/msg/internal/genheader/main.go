// Command genheader writes guest-sdk/c/watchbox.h, the C form of packages
// abi and abi/msg: the ABI's numbers and names, the host function
// declarations, the field codec, and one struct with a decoder and an
// encoder per message, driven by the same specs as the Go codec.
//
// Run it with go generate ./abi/... (see abi/msg/generate.go); a test fails
// when the committed header differs from what it writes.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

func main() {
	out := flag.String("o", "watchbox.h", "the header to write")
	flag.Parse()
	if err := os.WriteFile(*out, header(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genheader:", err)
		os.Exit(1)
	}
}

// prototypes are the C declarations of the host functions, by Wasm name.
var prototypes = map[string]string{
	abi.FuncEventRead:  "int32_t wb_event_read(void *ptr, uint32_t limit)",
	abi.FuncEventReply: "int32_t wb_event_reply(const void *ptr, uint32_t len)",
	abi.FuncLog:        "int32_t wb_log(int32_t level, const char *ptr, uint32_t len)",
	abi.FuncRequest:    "int32_t wb_request(uint32_t op, const void *ptr, uint32_t len)",
	abi.FuncResultRead: "int32_t wb_result_read(void *ptr, uint32_t limit)",
}

// ident turns a name such as "not_found" into "NOT_FOUND".
func ident(s string) string { return strings.ToUpper(s) }

// header returns the whole header.
func header() []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("%s", preamble)

	p("/* ---- numbers and names (package abi) ---------------------------------- */\n\n")
	p("#define WB_ABI_VERSION %d\n", abi.Version)
	p("#define WB_MARKER %q\n", abi.Marker)
	p("#define WB_HEADER_SIZE %d        /* the event envelope's fixed header */\n", abi.HeaderSize)
	p("#define WB_FIELD_HEADER_SIZE %d   /* key u16, type u8, reserved u8, length u32 */\n", abi.FieldHeaderSize)
	p("#define WB_MAX_ENVELOPE %d   /* the largest envelope a host sends */\n", abi.MaxEnvelope)
	p("#define WB_MAX_SESSION_ID %d   /* the longest URL session identifier */\n", abi.MaxSessionID)
	p("#define WB_SIZE_PUSHED 0x%08xu   /* watchbox_event's size: the envelope is in the registered buffer (push path) */\n", abi.SizePushed)
	p("#define WB_MIN_EVENT_BUFFER %d   /* register_event_buffer: the shortest buffer */\n", abi.MinEventBuffer)
	p("#define WB_MAX_EVENT_BUFFER %d   /* register_event_buffer: the longest buffer */\n", abi.MaxEventBuffer)
	p("#define WB_DISTANT_FUTURE INT64_C(%d) /* a date meaning never */\n\n", abi.DistantFuture)

	tags := map[string]string{"type": "wire_type", "event": "event_kind", "field": "field_key", "task": "task_kind",
		"snapshot": "snapshot_reason", "state": "app_state"}
	enum := func(typ, doc string, names []string, values []int64) {
		tag := typ
		if t, ok := tags[typ]; ok {
			tag = t
		}
		p("/* %s */\nenum wb_%s {\n", doc, tag)
		for i, n := range names {
			p("\tWB_%s_%s = %d,\n", ident(typ), ident(n), values[i])
		}
		p("};\n\n")
	}
	var names []string
	var values []int64
	add := func(n string, v int64) { names, values = append(names, n), append(values, v) }
	flush := func(typ, doc string) { enum(typ, doc, names, values); names, values = nil, nil }

	for s := abi.Status(0); s < 256; s++ {
		if n := s.String(); !strings.HasPrefix(n, "status(") {
			add(n, int64(s))
		}
	}
	flush("status", "Status codes: host functions return them negated, handlers as is (docs/abi.md section 7).")
	for l := abi.LevelDebug; l <= abi.LevelError; l++ {
		add(l.String(), int64(l))
	}
	flush("level", "Log levels (the log host function).")
	for t := abi.Type(1); t < 32; t++ {
		if n := t.String(); !strings.HasPrefix(n, "type(") {
			add(n, int64(t))
		}
	}
	flush("type", "Wire types of field values (docs/abi.md section 9).")
	for _, k := range abi.EventKinds() {
		add(k.String(), int64(k))
	}
	flush("event", "Event kinds, the kind argument of watchbox_event (docs/abi.md section 11).")
	for _, o := range abi.Ops() {
		add(o.String(), int64(o))
	}
	flush("op", "Request operations, the op argument of request (docs/abi.md section 13).")
	for _, f := range abi.Fields() {
		add(f.String(), int64(f))
	}
	flush("field", "Field keys (docs/abi.md section 14).")
	for k := abi.TaskKind(1); k < 64; k++ {
		if n := k.String(); !strings.HasPrefix(n, "task(") {
			add(n, int64(k))
		}
	}
	flush("task", "Background task kinds (field task_kind).")
	for _, r := range abi.SnapshotReasons() {
		add(r.String(), int64(r))
	}
	flush("snapshot", "Snapshot reasons (field snapshot_reason).")
	for s := abi.State(0); s < 32; s++ {
		if n := s.String(); !strings.HasPrefix(n, "state(") {
			add(n, int64(s))
		}
	}
	flush("state", "Life-cycle states (field app_state).")
	for _, t := range abi.SessionTypes() {
		add(t.String(), int64(t))
	}
	flush("session", "Extended runtime session types (field session_type of the extended session messages).")
	for s := abi.ExtendedNotStarted; s <= abi.ExtendedInvalid; s++ {
		add(s.String(), int64(s))
	}
	flush("extended", "Extended runtime session states (field extended_state).")
	for _, r := range abi.InvalidationReasons() {
		add(r.String(), int64(r))
	}
	flush("invalidation", "Extended session invalidation reasons (field reason of extended_session_invalidated).")
	for _, e := range abi.ExtendedErrors() {
		add(e.String(), int64(e))
	}
	flush("session_error", "Extended session errors (field session_error).")
	for _, h := range abi.Haptics() {
		add(h.String(), int64(h))
	}
	flush("haptic", "Haptic types (field haptic).")

	p("%s", imports())
	p("%s", codec)

	p("/* ---- messages (package abi/msg) ----------------------------------------- */\n\n")
	p("%s", messagesIntro)
	for _, s := range msg.Specs() {
		if len(s.Fields) == 0 {
			continue // C has no empty structs; such messages need no code
		}
		message(&b, s)
	}
	p("%s", refusal)
	p("#endif /* WATCHBOX_H */\n")
	return b.Bytes()
}

func imports() string {
	var b strings.Builder
	b.WriteString("/* ---- host functions (import module \"watchbox\") ------------------------- */\n\n")
	b.WriteString("#ifndef WB_NO_IMPORTS\n")
	b.WriteString("#define WB_IMPORT(name) __attribute__((import_module(\"" + abi.ImportModule + "\"), import_name(name)))\n")
	for _, f := range abi.Imports {
		proto, ok := prototypes[f.Name]
		if !ok {
			panic("genheader: no C prototype for host function " + f.Name)
		}
		fmt.Fprintf(&b, "/* %s %s, since v%d: %s */\n", f.Name, f.Signature(), f.Since, f.Doc)
		fmt.Fprintf(&b, "WB_IMPORT(%q) %s;\n", f.Name, proto)
	}
	b.WriteString("#endif\n\n")
	b.WriteString("/* Exports a function under its Wasm name, e.g. WB_EXPORT(\"" + abi.ExportEvent + "\"). */\n")
	b.WriteString("#define WB_EXPORT(name) __attribute__((export_name(name)))\n\n")
	return b.String()
}

// ctype is the C member type of a field.
func ctype(f msg.FieldSpec) string {
	if f.Presence == msg.Repeated {
		return "uint32_t"
	}
	switch f.Type {
	case abi.TypeInt:
		return "int64_t"
	case abi.TypeBool:
		return "uint8_t"
	case abi.TypeFloat:
		return "double"
	}
	return "wb_bytes"
}

// member is the C member name of a field.
func member(f msg.FieldSpec) string {
	if f.Presence == msg.Repeated {
		return f.Key.String() + "_count"
	}
	return f.Key.String()
}

// message writes the struct, field table, decoder and encoder of s.
func message(b *bytes.Buffer, s *msg.Spec) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	doc := s.Doc
	if s.Provisional {
		doc = strings.TrimSpace(doc + " (provisional: no host sends or implements it yet)")
	}
	if doc != "" {
		doc = ": " + doc
	}
	p("/* %s%s */\n", s.Name, doc)
	p("typedef struct wb_%s {\n", s.Name)
	p("\tuint64_t present; /* decode: bit i is set when field i (in the order below) was read */\n")
	for _, f := range s.Fields {
		note := fmt.Sprintf("key %d, %v, %v", f.Key, f.Type, f.Presence)
		if f.Presence == msg.Repeated {
			note = fmt.Sprintf("key %d, %v records counted by decode; decode each with wb_%s_decode", f.Key, f.Type, f.Record.Name)
		}
		if f.With != 0 {
			note += ", written with " + f.With.String()
		}
		if f.Doc != "" {
			note += ": " + f.Doc
		}
		p("\t%s %s; /* %s */\n", ctype(f), member(f), note)
	}
	p("} wb_%s;\n\n", s.Name)

	p("static const wb_field_spec wb_%s_fields[] = {\n", s.Name)
	for _, f := range s.Fields {
		with := -1
		if f.With != 0 {
			for j, g := range s.Fields {
				if g.Key == f.With {
					with = j
				}
			}
		}
		p("\t{WB_FIELD_%s, WB_TYPE_%s, WB_%s, %d, offsetof(wb_%s, %s)},\n",
			ident(f.Key.String()), ident(f.Type.String()), ident(f.Presence.String()), with, s.Name, member(f))
	}
	p("};\n\n")
	n := len(s.Fields)
	p("/* wb_%s_decode reads fields [p, p+n) into *m; see wb_decode. */\n", s.Name)
	p("static inline int32_t wb_%s_decode(const uint8_t *p, uint32_t n, wb_%s *m) {\n", s.Name, s.Name)
	p("\treturn wb_decode(wb_%s_fields, %d, p, n, m, sizeof *m, &m->present);\n}\n\n", s.Name, n)
	p("/* wb_%s_encode appends *m's fields to w; see wb_encode. */\n", s.Name)
	p("static inline void wb_%s_encode(wb_writer *w, const wb_%s *m) {\n", s.Name, s.Name)
	p("\twb_encode(w, wb_%s_fields, %d, m);\n}\n\n", s.Name, n)
}

const preamble = `/*
 * watchbox.h - the watchbox ABI v1 for guests in C.
 *
 * GENERATED by abi/msg/internal/genheader from packages abi and abi/msg;
 * DO NOT EDIT. Run go generate ./abi/... after changing them.
 *
 * docs/abi.md is the normative text. This header gives its numbers and
 * names, the host functions, the field codec, and per message (event
 * payload, request arguments and result, reply, refusal) a struct with a
 * decoder and an encoder that follow the same field tables as the Go
 * codec: unknown keys are skipped, the first occurrence of a repeated
 * single-valued key wins, a value of the wrong wire type is an error.
 *
 * It needs only <stdint.h> and <stddef.h> (no libc): every function is
 * static inline. Define WB_NO_IMPORTS before including it to declare the
 * host functions yourself.
 */
#ifndef WATCHBOX_H
#define WATCHBOX_H

#include <stddef.h>
#include <stdint.h>

`

const codec = `/* ---- little endian ---------------------------------------------------- */

static inline uint16_t wb_get_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t wb_get_u32(const uint8_t *p) {
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t wb_get_u64(const uint8_t *p) { return (uint64_t)wb_get_u32(p) | (uint64_t)wb_get_u32(p + 4) << 32; }
static inline void wb_put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void wb_put_u32(uint8_t *p, uint32_t v) { wb_put_u16(p, (uint16_t)v); wb_put_u16(p + 2, (uint16_t)(v >> 16)); }
static inline void wb_put_u64(uint8_t *p, uint64_t v) { wb_put_u32(p, (uint32_t)v); wb_put_u32(p + 4, (uint32_t)(v >> 32)); }

/* ---- the event envelope (docs/abi.md section 8) ------------------------- */

typedef struct wb_header {
	uint16_t version; /* WB_ABI_VERSION */
	uint16_t kind;    /* an enum wb_event_kind */
	uint32_t flags;   /* 0 in version 1 */
	uint64_t id;      /* 1 for an instance's first event, then +1 */
	int64_t time;     /* host clock at delivery, Unix ns */
} wb_header;

/* wb_parse_envelope splits the envelope [p, p+n) into its header and its
   fields. It returns 0, or -1 when n is too short, -2 for another version. */
static inline int32_t wb_parse_envelope(const uint8_t *p, uint32_t n, wb_header *h, const uint8_t **fields, uint32_t *nfields) {
	if (n < WB_HEADER_SIZE) return -1;
	h->version = wb_get_u16(p);
	h->kind = wb_get_u16(p + 2);
	h->flags = wb_get_u32(p + 4);
	h->id = wb_get_u64(p + 8);
	h->time = (int64_t)wb_get_u64(p + 16);
	if (h->version != WB_ABI_VERSION) return -2;
	*fields = p + WB_HEADER_SIZE;
	*nfields = n - WB_HEADER_SIZE;
	return 0;
}

/* ---- reading fields (docs/abi.md section 9) ---------------------------- */

/* wb_bytes is a bytes value, aliasing the decoded buffer; ptr is NULL when
   the field is absent. Text is UTF-8 without a NUL: print it with
   printf("%.*s", (int)b.len, (const char *)b.ptr). */
typedef struct wb_bytes { const uint8_t *ptr; uint32_t len; } wb_bytes;

/* wb_field is one field as wb_next_field reads it. */
typedef struct wb_field { uint16_t key; uint8_t type; const uint8_t *val; uint32_t len; } wb_field;

/* wb_reader walks a sequence of fields; err is set on malformed data. */
typedef struct wb_reader { const uint8_t *p; uint32_t n, off; int32_t err; } wb_reader;

static inline wb_reader wb_reader_init(const uint8_t *p, uint32_t n) { wb_reader r = {p, n, 0, 0}; return r; }

/* wb_next_field reads the next field into *f. It returns 0 at the end, or
   on malformed data with r->err set. Callers skip keys they do not know. */
static inline int32_t wb_next_field(wb_reader *r, wb_field *f) {
	if (r->err || r->off >= r->n) return 0;
	uint32_t rest = r->n - r->off;
	const uint8_t *h = r->p + r->off;
	if (rest < WB_FIELD_HEADER_SIZE || wb_get_u32(h + 4) > rest - WB_FIELD_HEADER_SIZE) {
		r->err = 1;
		return 0;
	}
	f->key = wb_get_u16(h);
	f->type = h[2];
	f->len = wb_get_u32(h + 4);
	f->val = h + WB_FIELD_HEADER_SIZE;
	r->off += WB_FIELD_HEADER_SIZE + f->len;
	return 1;
}

/* wb_field_int, _bool, _float and _bytes read a value of their wire type;
   they return 0, storing nothing, for a value of another type or size. */
static inline int32_t wb_field_int(const wb_field *f, int64_t *v) {
	if (f->type != WB_TYPE_INT || f->len != 8) return 0;
	*v = (int64_t)wb_get_u64(f->val);
	return 1;
}
static inline int32_t wb_field_bool(const wb_field *f, uint8_t *v) {
	if (f->type != WB_TYPE_BOOL || f->len != 1 || f->val[0] > 1) return 0;
	*v = f->val[0];
	return 1;
}
static inline int32_t wb_field_float(const wb_field *f, double *v) {
	if (f->type != WB_TYPE_FLOAT || f->len != 8) return 0;
	union { uint64_t u; double d; } x = {wb_get_u64(f->val)};
	*v = x.d;
	return 1;
}
static inline int32_t wb_field_bytes(const wb_field *f, wb_bytes *v) {
	if (f->type != WB_TYPE_BYTES) return 0;
	v->ptr = f->val;
	v->len = f->len;
	return 1;
}

/* ---- writing fields ----------------------------------------------------- */

/* wb_writer appends fields to [p, p+cap); err is set, and nothing more is
   written, once a field does not fit. */
typedef struct wb_writer { uint8_t *p; uint32_t cap, n; int32_t err; } wb_writer;

static inline wb_writer wb_writer_init(uint8_t *p, uint32_t cap) { wb_writer w = {p, cap, 0, 0}; return w; }

static inline int32_t wb_put_header(wb_writer *w, uint16_t key, uint8_t type, uint32_t len) {
	if (w->err || w->cap - w->n < WB_FIELD_HEADER_SIZE || w->cap - w->n - WB_FIELD_HEADER_SIZE < len) {
		w->err = 1;
		return 0;
	}
	wb_put_u16(w->p + w->n, key);
	w->p[w->n + 2] = type;
	w->p[w->n + 3] = 0; /* reserved */
	wb_put_u32(w->p + w->n + 4, len);
	w->n += WB_FIELD_HEADER_SIZE;
	return 1;
}
static inline void wb_put_int(wb_writer *w, uint16_t key, int64_t v) {
	if (!wb_put_header(w, key, WB_TYPE_INT, 8)) return;
	wb_put_u64(w->p + w->n, (uint64_t)v);
	w->n += 8;
}
static inline void wb_put_bool(wb_writer *w, uint16_t key, int v) {
	if (!wb_put_header(w, key, WB_TYPE_BOOL, 1)) return;
	w->p[w->n++] = v ? 1 : 0;
}
static inline void wb_put_float(wb_writer *w, uint16_t key, double v) {
	if (!wb_put_header(w, key, WB_TYPE_FLOAT, 8)) return;
	union { double d; uint64_t u; } x = {v};
	wb_put_u64(w->p + w->n, x.u);
	w->n += 8;
}
static inline void wb_put_bytes(wb_writer *w, uint16_t key, const void *v, uint32_t len) {
	if (!wb_put_header(w, key, WB_TYPE_BYTES, len)) return;
	for (uint32_t i = 0; i < len; i++) w->p[w->n + i] = ((const uint8_t *)v)[i];
	w->n += len;
}
/* wb_put_text writes a NUL-terminated string as a bytes field. */
static inline void wb_put_text(wb_writer *w, uint16_t key, const char *s) {
	uint32_t len = 0;
	while (s[len]) len++;
	wb_put_bytes(w, key, s, len);
}
/* wb_begin starts a record field; the fields written until wb_end(w, mark)
   are its contents. */
static inline uint32_t wb_begin(wb_writer *w, uint16_t key) {
	uint32_t mark = w->n;
	wb_put_header(w, key, WB_TYPE_RECORD, 0);
	return mark;
}
static inline void wb_end(wb_writer *w, uint32_t mark) {
	if (!w->err) wb_put_u32(w->p + mark + 4, w->n - mark - WB_FIELD_HEADER_SIZE);
}

`

const messagesIntro = `/* Presence of a field (abi/msg.Presence). */
enum wb_presence {
	WB_OPTIONAL = 0, /* written unless zero (0, false, a NULL wb_bytes.ptr); may be absent */
	WB_ALWAYS = 1,   /* always written; may be absent (then zero) */
	WB_REQUIRED = 2, /* always written; decode fails without it */
	WB_REPEATED = 3, /* a record per element; decode counts them */
};

/* wb_field_spec describes one field of a message struct. */
typedef struct wb_field_spec {
	uint16_t key;
	uint8_t type;
	uint8_t presence;
	int8_t with;     /* WB_OPTIONAL: index of the field it is written with, or -1 */
	uint16_t offset; /* of the member in the struct */
} wb_field_spec;

/* wb_decode reads the fields [p, p+n) into the struct m (size bytes)
   described by spec, zeroing it first; *present, a member of m, gets a bit
   per field read. It
   skips unknown keys and ignores every occurrence of a single-valued key
   after the first. It returns 0; -1 for malformed framing; or the key of
   the first field that has the wrong wire type or size, or is required and
   missing. Bytes members alias p. */
static inline int32_t wb_decode(const wb_field_spec *spec, int32_t nspec, const uint8_t *p, uint32_t n, void *m, size_t size, uint64_t *present) {
	wb_reader r = wb_reader_init(p, n);
	wb_field f;
	uint8_t *base = (uint8_t *)m;
	for (size_t i = 0; i < size; i++) base[i] = 0;
	while (wb_next_field(&r, &f)) {
		int32_t i = 0;
		while (i < nspec && spec[i].key != f.key) i++;
		if (i == nspec) continue; /* unknown keys are skipped */
		const wb_field_spec *s = &spec[i];
		void *dst = base + s->offset;
		if (s->presence == WB_REPEATED) {
			if (f.type != WB_TYPE_RECORD) return s->key;
			*(uint32_t *)dst += 1;
			*present |= (uint64_t)1 << i;
			continue;
		}
		if (*present & ((uint64_t)1 << i)) continue; /* the first occurrence wins */
		*present |= (uint64_t)1 << i;
		int32_t ok = 0;
		switch (s->type) {
		case WB_TYPE_INT: ok = wb_field_int(&f, (int64_t *)dst); break;
		case WB_TYPE_BOOL: ok = wb_field_bool(&f, (uint8_t *)dst); break;
		case WB_TYPE_FLOAT: ok = wb_field_float(&f, (double *)dst); break;
		case WB_TYPE_BYTES: ok = wb_field_bytes(&f, (wb_bytes *)dst); break;
		}
		if (!ok) return s->key;
	}
	if (r.err) return -1;
	for (int32_t i = 0; i < nspec; i++)
		if (spec[i].presence == WB_REQUIRED && !(*present & ((uint64_t)1 << i))) return spec[i].key;
	return 0;
}

/* wb_encode appends the fields of the struct m described by spec to w, in
   order: WB_OPTIONAL ones only when not zero (or when their "with" field
   was written). Repeated records are not written: use wb_begin/wb_end. */
static inline void wb_encode(wb_writer *w, const wb_field_spec *spec, int32_t nspec, const void *m) {
	const uint8_t *base = (const uint8_t *)m;
	uint64_t written = 0;
	for (int32_t i = 0; i < nspec; i++) {
		const wb_field_spec *s = &spec[i];
		const void *src = base + s->offset;
		if (s->presence == WB_REPEATED) continue;
		int32_t zero = 0;
		switch (s->type) {
		case WB_TYPE_INT: zero = *(const int64_t *)src == 0; break;
		case WB_TYPE_BOOL: zero = *(const uint8_t *)src == 0; break;
		case WB_TYPE_FLOAT: zero = *(const double *)src == 0; break;
		case WB_TYPE_BYTES: zero = ((const wb_bytes *)src)->ptr == NULL; break;
		}
		if (s->presence == WB_OPTIONAL && zero && !(s->with >= 0 && (written & ((uint64_t)1 << s->with)))) continue;
		switch (s->type) {
		case WB_TYPE_INT: wb_put_int(w, s->key, *(const int64_t *)src); break;
		case WB_TYPE_BOOL: wb_put_bool(w, s->key, *(const uint8_t *)src); break;
		case WB_TYPE_FLOAT: wb_put_float(w, s->key, *(const double *)src); break;
		case WB_TYPE_BYTES: {
			const wb_bytes *v = (const wb_bytes *)src;
			wb_put_bytes(w, s->key, v->ptr, v->len);
			break;
		}
		}
		written |= (uint64_t)1 << i;
	}
}

`

const refusal = `#ifndef WB_NO_IMPORTS
/* wb_refusal_reason copies the reason the host gave for refusing the last
   request (the refusal result, docs/abi.md section 5) into buf as a
   NUL-terminated string and returns its length; it returns 0, with buf
   empty, when the host gave none (as hosts before refusal reasons do). Call
   it right after wb_request returned a negative status. */
static inline uint32_t wb_refusal_reason(char *buf, uint32_t cap) {
	if (cap == 0) return 0;
	int32_t n = wb_result_read(buf, cap);
	wb_refusal r;
	if (n <= 0 || (uint32_t)n > cap || wb_refusal_decode((const uint8_t *)buf, (uint32_t)n, &r) != 0 || !r.refusal.ptr) {
		buf[0] = 0;
		return 0;
	}
	uint32_t len = r.refusal.len < cap ? r.refusal.len : cap - 1;
	for (uint32_t i = 0; i < len; i++) buf[i] = (char)r.refusal.ptr[i]; /* the text lies after buf[i] */
	buf[len] = 0;
	return len;
}
#endif

`
