/*
 * hello.c - a watchbox guest in C, written from docs/abi.md (ABI v1) alone.
 *
 * It is a WASI reactor: the host calls _initialize once (which runs the
 * constructor below), then watchbox_event(kind, size) for every event. The
 * guest pulls each envelope with event_read, decodes the 24-byte header and
 * the fields, logs what it sees through the "log" host function and answers
 * with a handler status (and, on failure, a reply holding a message field).
 *
 * Build: ./build.sh (clang --target=wasm32-wasi -mexec-model=reactor).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

/* ---- ABI v1 constants (docs/abi.md) ------------------------------------ */

enum status {
	WB_OK = 0, WB_NOT_FOUND = 1, WB_BAD_ARGUMENT = 2, WB_INVALID_MEMORY = 3,
	WB_UNSUPPORTED = 4, WB_NOT_ALLOWED = 5, WB_LIMIT = 6, WB_NO_EVENT = 7,
	WB_INTERNAL = 8,
	WB_UNHANDLED = 16, WB_ERROR = 17, WB_BAD_EVENT = 18,
};

enum level { WB_DEBUG = 0, WB_INFO = 1, WB_WARN = 2, WB_ERR = 3 };

enum kind {
	EV_DID_FINISH_LAUNCHING = 1, EV_WILL_ENTER_FOREGROUND = 2,
	EV_DID_BECOME_ACTIVE = 3, EV_WILL_RESIGN_ACTIVE = 4,
	EV_DID_ENTER_BACKGROUND = 5, EV_BACKGROUND_TASKS = 16,
};

enum op { OP_APP_INFO = 1, OP_COMPLETE_TASK = 18 };

enum wire { T_INT = 1, T_BYTES = 2, T_BOOL = 3, T_FLOAT = 4, T_RECORD = 5 };

enum key {
	F_MESSAGE = 1, F_TASK = 2, F_TASK_ID = 3, F_TASK_KIND = 4,
	F_SNAPSHOT = 9, F_APP_STATE = 16, F_LAUNCH_COUNT = 17, F_BUNDLE_ID = 18,
	F_COLD = 19,
};

#define HEADER_SIZE 24
#define FIELD_HEADER_SIZE 8

/* ---- host functions (import module "watchbox") -------------------------- */

#define WB_IMPORT(name) __attribute__((import_module("watchbox"), import_name(name)))

WB_IMPORT("event_read")  int32_t wb_event_read(void *ptr, uint32_t limit);
WB_IMPORT("event_reply") int32_t wb_event_reply(const void *ptr, uint32_t len);
WB_IMPORT("log")         int32_t wb_log(int32_t level, const char *ptr, uint32_t len);
WB_IMPORT("request")     int32_t wb_request(uint32_t op, const void *ptr, uint32_t len);
WB_IMPORT("result_read") int32_t wb_result_read(void *ptr, uint32_t limit);

/* The ABI version marker: exported, never called. */
__attribute__((export_name("watchbox_abi_v1"))) void watchbox_abi_v1(void) {}

/* ---- little-endian helpers --------------------------------------------- */

static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get_u32(const uint8_t *p) {
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_u64(const uint8_t *p) { return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }
static void put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put_u32(uint8_t *p, uint32_t v) { put_u16(p, (uint16_t)v); put_u16(p + 2, (uint16_t)(v >> 16)); }
static void put_u64(uint8_t *p, uint64_t v) { put_u32(p, (uint32_t)v); put_u32(p + 4, (uint32_t)(v >> 32)); }

/* ---- logging ------------------------------------------------------------ */

static void wb_logf(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wb_logf(int level, const char *fmt, ...) {
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0) return;
	if ((size_t)n >= sizeof line) n = sizeof line - 1;
	wb_log(level, line, (uint32_t)n);
}

/* ---- field decoding ----------------------------------------------------- */

struct field { uint16_t key; uint8_t type; const uint8_t *val; uint32_t len; };
struct reader { const uint8_t *p; uint32_t n, off; int err; };

static struct reader reader(const uint8_t *p, uint32_t n) { struct reader r = {p, n, 0, 0}; return r; }

/* next_field reads the next field; it returns 0 at the end or on malformed
   data (r->err set). Callers skip keys they do not know. */
static int next_field(struct reader *r, struct field *f) {
	if (r->err || r->off >= r->n) return 0;
	uint32_t rest = r->n - r->off;
	const uint8_t *h = r->p + r->off;
	if (rest < FIELD_HEADER_SIZE || get_u32(h + 4) > rest - FIELD_HEADER_SIZE) {
		r->err = 1;
		return 0;
	}
	f->key = get_u16(h);
	f->type = h[2];
	f->len = get_u32(h + 4);
	f->val = h + FIELD_HEADER_SIZE;
	r->off += FIELD_HEADER_SIZE + f->len;
	return 1;
}

static int field_int(const struct field *f, int64_t *v) {
	if (f->type != T_INT || f->len != 8) return 0;
	*v = (int64_t)get_u64(f->val);
	return 1;
}

static int field_bool(const struct field *f, int *v) {
	if (f->type != T_BOOL || f->len != 1 || f->val[0] > 1) return 0;
	*v = f->val[0];
	return 1;
}

/* ---- field encoding (replies and request arguments) --------------------- */

struct writer { uint8_t *p; uint32_t cap, n; int err; };

static void put_header(struct writer *w, uint16_t key, uint8_t type, uint32_t len) {
	if (w->err || w->cap - w->n < FIELD_HEADER_SIZE + len) { w->err = 1; return; }
	put_u16(w->p + w->n, key);
	w->p[w->n + 2] = type;
	w->p[w->n + 3] = 0; /* reserved */
	put_u32(w->p + w->n + 4, len);
	w->n += FIELD_HEADER_SIZE;
}

static void put_text(struct writer *w, uint16_t key, const char *s) {
	uint32_t len = (uint32_t)strlen(s);
	put_header(w, key, T_BYTES, len);
	if (w->err) return;
	memcpy(w->p + w->n, s, len);
	w->n += len;
}

static void put_int(struct writer *w, uint16_t key, int64_t v) {
	put_header(w, key, T_INT, 8);
	if (w->err) return;
	put_u64(w->p + w->n, (uint64_t)v);
	w->n += 8;
}

static void put_bool(struct writer *w, uint16_t key, int v) {
	put_header(w, key, T_BOOL, 1);
	if (w->err) return;
	w->p[w->n++] = v ? 1 : 0;
}

/* fail replies with a message field and returns the error status. */
static int32_t fail(const char *msg) {
	uint8_t buf[256];
	struct writer w = {buf, sizeof buf, 0, 0};
	put_text(&w, F_MESSAGE, msg);
	if (!w.err) wb_event_reply(buf, w.n);
	return WB_ERROR;
}

/* ---- requests ----------------------------------------------------------- */

static uint8_t result[1024];

/* request sends op with encoded args and reads its result into `result`.
   It returns the result size, or a negated status. */
static int32_t request(uint32_t op, const void *args, uint32_t len) {
	int32_t n = wb_request(op, args, len);
	if (n < 0) return n;
	if ((uint32_t)n > sizeof result) return -WB_LIMIT;
	int32_t m = wb_result_read(result, sizeof result);
	if (m < 0) return m;
	return m;
}

static const char *state_name(int64_t s) {
	static const char *names[] = {"not_running", "inactive", "active", "background", "suspended"};
	return s >= 0 && s <= 4 ? names[s] : "?";
}

static void log_app_info(void) {
	int32_t n = request(OP_APP_INFO, NULL, 0);
	if (n < 0) {
		wb_logf(WB_ERR, "c-hello: app_info failed: status %d", -n);
		return;
	}
	char bundle[160] = "";
	int64_t state = -1, launches = -1;
	int cold = -1;
	struct reader r = reader(result, (uint32_t)n);
	struct field f;
	while (next_field(&r, &f)) {
		switch (f.key) {
		case F_BUNDLE_ID:
			if (f.type == T_BYTES && f.len < sizeof bundle) {
				memcpy(bundle, f.val, f.len);
				bundle[f.len] = 0;
			}
			break;
		case F_APP_STATE: field_int(&f, &state); break;
		case F_LAUNCH_COUNT: field_int(&f, &launches); break;
		case F_COLD: field_bool(&f, &cold); break;
		default: break; /* unknown keys are skipped */
		}
	}
	if (r.err) {
		wb_logf(WB_ERR, "c-hello: app_info result is malformed");
		return;
	}
	wb_logf(WB_INFO, "c-hello: app_info bundle=%s state=%s launch_count=%lld cold=%d",
	     bundle, state_name(state), (long long)launches, cold);
}

/* ---- WASI environment checks (docs/abi.md, "The WASI environment") ------ */

static void check_wasi(int64_t event_time) {
	/* args = [bundle id], no environment variables */
	__wasi_size_t argc = 0, argv_size = 0, envc = 0, env_size = 0;
	char argbuf[256] = "";
	uint8_t *argv[8];
	if (__wasi_args_sizes_get(&argc, &argv_size) != 0 || argc > 8 || argv_size > sizeof argbuf ||
	    __wasi_args_get(argv, (uint8_t *)argbuf) != 0)
		argc = 0;
	if (__wasi_environ_sizes_get(&envc, &env_size) != 0)
		envc = (__wasi_size_t)-1;
	wb_logf(WB_INFO, "c-hello: wasi argc=%u argv0=%s environ=%u", (unsigned)argc, argc > 0 ? (char *)argv[0] : "", (unsigned)envc);

	/* the host clock: the envelope's time is close to CLOCK_REALTIME */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	int64_t d = now - event_time;
	wb_logf(WB_INFO, "c-hello: clock %s", d >= 0 && d < 60000000000LL ? "ok" : "skewed");

	/* the data container is the preopen "/" */
	FILE *fp = fopen("/c-hello.txt", "w");
	if (fp) {
		fputs("hello from C\n", fp);
		fclose(fp);
	}
	wb_logf(WB_INFO, "c-hello: wrote /c-hello.txt: %s", fp ? "ok" : strerror(errno));

	/* the data quota (64KiB in watchapp.json): a bigger write is refused */
	static char big[70000];
	int fd = open("/big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t w = fd >= 0 ? write(fd, big, sizeof big) : -1;
	int err = errno;
	if (fd >= 0) close(fd);
	unlink("/big");
	if (w < 0)
		wb_logf(WB_INFO, "c-hello: over-quota write refused: errno %s", err == ENOSPC ? "ENOSPC" : err == EIO ? "EIO" : "other");
	else
		wb_logf(WB_WARN, "c-hello: over-quota write succeeded (%ld bytes)", (long)w);

	/* stdout goes to the host's log; stdio buffers, so flush */
	printf("c-hello: hello on stdout\n");
	fflush(stdout);
}

/* ---- events ------------------------------------------------------------- */

static uint8_t envelope[16 << 10];

static const char *kind_name(uint16_t k) {
	switch (k) {
	case EV_DID_FINISH_LAUNCHING: return "did_finish_launching";
	case EV_WILL_ENTER_FOREGROUND: return "will_enter_foreground";
	case EV_DID_BECOME_ACTIVE: return "did_become_active";
	case EV_WILL_RESIGN_ACTIVE: return "will_resign_active";
	case EV_DID_ENTER_BACKGROUND: return "did_enter_background";
	case EV_BACKGROUND_TASKS: return "background_tasks";
	}
	return "unknown";
}

/* background_tasks: one task record per task. The guest logs each and tries
   to complete it, which this host does not implement yet. */
static int32_t background_tasks(const uint8_t *fields, uint32_t n) {
	struct reader r = reader(fields, n);
	struct field f;
	int tasks = 0;
	while (next_field(&r, &f)) {
		if (f.key != F_TASK) continue; /* unknown keys are skipped */
		if (f.type != T_RECORD) return WB_BAD_EVENT;
		int64_t id = -1, kind = -1;
		struct reader tr = reader(f.val, f.len);
		struct field tf;
		while (next_field(&tr, &tf)) {
			if (tf.key == F_TASK_ID) field_int(&tf, &id);
			else if (tf.key == F_TASK_KIND) field_int(&tf, &kind);
		}
		if (tr.err) return WB_BAD_EVENT;
		wb_logf(WB_INFO, "c-hello: task id=%lld kind=%lld", (long long)id, (long long)kind);
		tasks++;

		uint8_t args[64];
		struct writer w = {args, sizeof args, 0, 0};
		put_int(&w, F_TASK_ID, id);
		put_bool(&w, F_SNAPSHOT, 0);
		int32_t st = request(OP_COMPLETE_TASK, args, w.n);
		if (st < 0) {
			char msg[96];
			snprintf(msg, sizeof msg, "c-hello: complete_task(%lld) failed with status %d", (long long)id, (int)-st);
			return fail(msg);
		}
	}
	if (r.err) return WB_BAD_EVENT;
	wb_logf(WB_INFO, "c-hello: %d tasks", tasks);
	return WB_OK;
}

__attribute__((export_name("watchbox_event")))
int32_t watchbox_event(int32_t kind, int32_t size) {
	if (size < HEADER_SIZE || (uint32_t)size > sizeof envelope) return WB_BAD_EVENT;
	int32_t n = wb_event_read(envelope, sizeof envelope);
	if (n != size) return WB_BAD_EVENT;

	uint16_t version = get_u16(envelope);
	uint16_t hkind = get_u16(envelope + 2);
	uint64_t id = get_u64(envelope + 8);
	int64_t when = (int64_t)get_u64(envelope + 16);
	if (version != 1 || hkind != (uint32_t)kind) return WB_BAD_EVENT;
	const uint8_t *fields = envelope + HEADER_SIZE;
	uint32_t nfields = (uint32_t)n - HEADER_SIZE;

	switch (hkind) {
	case EV_DID_FINISH_LAUNCHING:
	case EV_WILL_ENTER_FOREGROUND:
	case EV_DID_BECOME_ACTIVE:
	case EV_WILL_RESIGN_ACTIVE:
	case EV_DID_ENTER_BACKGROUND:
		wb_logf(WB_INFO, "c-hello: %s (event %llu)", kind_name(hkind), (unsigned long long)id);
		if (hkind == EV_DID_FINISH_LAUNCHING) {
			log_app_info();
			check_wasi(when);
		} else if (hkind == EV_DID_BECOME_ACTIVE) {
			log_app_info();
		}
		return WB_OK;
	case EV_BACKGROUND_TASKS:
		wb_logf(WB_INFO, "c-hello: %s (event %llu, %u field bytes)", kind_name(hkind), (unsigned long long)id, (unsigned)nfields);
		return background_tasks(fields, nfields);
	}
	return WB_UNHANDLED;
}

/* Runs from _initialize, before any event: there is no current event yet. */
__attribute__((constructor)) static void init(void) {
	int32_t st = wb_event_read(envelope, sizeof envelope);
	wb_logf(WB_DEBUG, "c-hello: initialized (event_read outside a handler = %d)", (int)st);
}
