/*
 * hello.c - a watchbox guest in C (ABI v1), built on guest-sdk/c/watchbox.h,
 * the header generated from the ABI's Go definitions.
 *
 * It is a WASI reactor: the host calls _initialize once (which runs the
 * constructor below), then watchbox_event(kind, size) for every event. The
 * guest pulls each envelope with event_read, decodes the 24-byte header and
 * the fields, logs what it sees through the "log" host function and answers
 * with a handler status (and, on failure, a reply holding a message field).
 *
 * A refused request is reported with the host's reason when the host gives
 * one (the refusal result, read by wb_refusal_reason).
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

/* The ABI's numbers, the host function imports, the field codec and a
   struct per message, generated from the Go definitions (guest-sdk/c). */
#include "watchbox.h"

/* The ABI version marker: exported, never called. */
WB_EXPORT(WB_MARKER) void watchbox_abi_v1(void) {}

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

/* fail replies with a message field and returns the error status. */
static int32_t fail(const char *msg) {
	uint8_t buf[512];
	wb_writer w = wb_writer_init(buf, sizeof buf);
	wb_reply r = {0};
	r.message.ptr = (const uint8_t *)msg;
	r.message.len = (uint32_t)strlen(msg);
	wb_reply_encode(&w, &r);
	if (!w.err) wb_event_reply(buf, w.n);
	return WB_STATUS_ERROR;
}

/* ---- requests ----------------------------------------------------------- */

static uint8_t result[1024];

/* reason holds the host's words for the last refused request, or "". */
static char reason[256];

/* request sends op with encoded args and reads its result into `result`.
   It returns the result size, or a negated status (and sets `reason`). */
static int32_t request(uint32_t op, const void *args, uint32_t len) {
	reason[0] = 0;
	int32_t n = wb_request(op, args, len);
	if (n < 0) {
		wb_refusal_reason(reason, sizeof reason);
		return n;
	}
	if ((uint32_t)n > sizeof result) return -WB_STATUS_LIMIT;
	return wb_result_read(result, sizeof result);
}

static const char *state_name(int64_t s) {
	static const char *names[] = {"not_running", "inactive", "active", "background", "suspended"};
	return s >= 0 && s <= 4 ? names[s] : "?";
}

static void log_app_info(void) {
	int32_t n = request(WB_OP_APP_INFO, NULL, 0);
	if (n < 0) {
		wb_logf(WB_LEVEL_ERROR, "c-hello: app_info failed: status %d", -n);
		return;
	}
	wb_app_info_result info;
	int32_t bad = wb_app_info_result_decode(result, (uint32_t)n, &info);
	if (bad != 0) {
		wb_logf(WB_LEVEL_ERROR, "c-hello: app_info result is malformed (%d)", (int)bad);
		return;
	}
	wb_logf(WB_LEVEL_INFO, "c-hello: app_info bundle=%.*s state=%s launch_count=%lld cold=%d",
	     (int)info.bundle_id.len, (const char *)info.bundle_id.ptr, state_name(info.app_state),
	     (long long)info.launch_count, info.cold);
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
	wb_logf(WB_LEVEL_INFO, "c-hello: wasi argc=%u argv0=%s environ=%u", (unsigned)argc, argc > 0 ? (char *)argv[0] : "", (unsigned)envc);

	/* the host clock: the envelope's time is close to CLOCK_REALTIME */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	int64_t d = now - event_time;
	wb_logf(WB_LEVEL_INFO, "c-hello: clock %s", d >= 0 && d < 60000000000LL ? "ok" : "skewed");

	/* the data container is the preopen "/" */
	FILE *fp = fopen("/c-hello.txt", "w");
	if (fp) {
		fputs("hello from C\n", fp);
		fclose(fp);
	}
	wb_logf(WB_LEVEL_INFO, "c-hello: wrote /c-hello.txt: %s", fp ? "ok" : strerror(errno));

	/* the data quota (64KiB in watchapp.json): a bigger write is refused */
	static char big[70000];
	int fd = open("/big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t w = fd >= 0 ? write(fd, big, sizeof big) : -1;
	int err = errno;
	if (fd >= 0) close(fd);
	unlink("/big");
	if (w < 0)
		wb_logf(WB_LEVEL_INFO, "c-hello: over-quota write refused: errno %s", err == ENOSPC ? "ENOSPC" : err == EIO ? "EIO" : "other");
	else
		wb_logf(WB_LEVEL_WARN, "c-hello: over-quota write succeeded (%ld bytes)", (long)w);

	/* stdout goes to the host's log; stdio buffers, so flush */
	printf("c-hello: hello on stdout\n");
	fflush(stdout);
}

/* ---- events ------------------------------------------------------------- */

static uint8_t envelope[16 << 10];

static const char *kind_name(uint16_t k) {
	switch (k) {
	case WB_EVENT_DID_FINISH_LAUNCHING: return "did_finish_launching";
	case WB_EVENT_WILL_ENTER_FOREGROUND: return "will_enter_foreground";
	case WB_EVENT_DID_BECOME_ACTIVE: return "did_become_active";
	case WB_EVENT_WILL_RESIGN_ACTIVE: return "will_resign_active";
	case WB_EVENT_DID_ENTER_BACKGROUND: return "did_enter_background";
	case WB_EVENT_BACKGROUND_TASKS: return "background_tasks";
	}
	return "unknown";
}

/* background_tasks: one task record per task. The guest logs each and
   completes it; a refusal is reported with the host's reason, if any. */
static int32_t background_tasks(const uint8_t *fields, uint32_t n) {
	wb_reader r = wb_reader_init(fields, n);
	wb_field f;
	int tasks = 0;
	while (wb_next_field(&r, &f)) {
		if (f.key != WB_FIELD_TASK) continue; /* unknown keys are skipped */
		wb_task t;
		if (f.type != WB_TYPE_RECORD || wb_task_decode(f.val, f.len, &t) != 0) return WB_STATUS_BAD_EVENT;
		wb_logf(WB_LEVEL_INFO, "c-hello: task id=%lld kind=%lld", (long long)t.task_id, (long long)t.task_kind);
		tasks++;

		uint8_t args[64];
		wb_writer w = wb_writer_init(args, sizeof args);
		wb_complete_task done = {0};
		done.task_id = t.task_id;
		wb_complete_task_encode(&w, &done);
		int32_t st = request(WB_OP_COMPLETE_TASK, args, w.n);
		if (st < 0) {
			char msg[384];
			if (reason[0])
				snprintf(msg, sizeof msg, "c-hello: complete_task(%lld) failed with status %d: %s", (long long)t.task_id, (int)-st, reason);
			else
				snprintf(msg, sizeof msg, "c-hello: complete_task(%lld) failed with status %d", (long long)t.task_id, (int)-st);
			return fail(msg);
		}
	}
	if (r.err) return WB_STATUS_BAD_EVENT;
	wb_logf(WB_LEVEL_INFO, "c-hello: %d tasks", tasks);
	return WB_STATUS_OK;
}

WB_EXPORT("watchbox_event")
int32_t watchbox_event(int32_t kind, int32_t size) {
	if (size < WB_HEADER_SIZE || (uint32_t)size > sizeof envelope) return WB_STATUS_BAD_EVENT;
	int32_t n = wb_event_read(envelope, sizeof envelope);
	if (n != size) return WB_STATUS_BAD_EVENT;

	wb_header h;
	const uint8_t *fields;
	uint32_t nfields;
	if (wb_parse_envelope(envelope, (uint32_t)n, &h, &fields, &nfields) != 0 || h.kind != (uint32_t)kind)
		return WB_STATUS_BAD_EVENT;

	switch (h.kind) {
	case WB_EVENT_DID_FINISH_LAUNCHING:
	case WB_EVENT_WILL_ENTER_FOREGROUND:
	case WB_EVENT_DID_BECOME_ACTIVE:
	case WB_EVENT_WILL_RESIGN_ACTIVE:
	case WB_EVENT_DID_ENTER_BACKGROUND:
		wb_logf(WB_LEVEL_INFO, "c-hello: %s (event %llu)", kind_name(h.kind), (unsigned long long)h.id);
		if (h.kind == WB_EVENT_DID_FINISH_LAUNCHING) {
			log_app_info();
			check_wasi(h.time);
		} else if (h.kind == WB_EVENT_DID_BECOME_ACTIVE) {
			log_app_info();
		}
		return WB_STATUS_OK;
	case WB_EVENT_BACKGROUND_TASKS:
		wb_logf(WB_LEVEL_INFO, "c-hello: %s (event %llu, %u field bytes)", kind_name(h.kind), (unsigned long long)h.id, (unsigned)nfields);
		return background_tasks(fields, nfields);
	}
	return WB_STATUS_UNHANDLED;
}

/* Runs from _initialize, before any event: there is no current event yet. */
__attribute__((constructor)) static void init(void) {
	int32_t st = wb_event_read(envelope, sizeof envelope);
	wb_logf(WB_LEVEL_DEBUG, "c-hello: initialized (event_read outside a handler = %d)", (int)st);
}
