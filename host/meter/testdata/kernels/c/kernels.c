// CPU kernels compiled to WebAssembly with clang (wasm32-wasi, reactor) for
// the metering tests and benchmarks of host/meter. Every export takes a size
// and returns a checksum. Rebuild with ./regen.sh.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rng(void) {
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int64_t fib_rec(int32_t n) { return n < 2 ? n : fib_rec(n - 1) + fib_rec(n - 2); }

EXPORT("fib") int64_t fib(int32_t n) { return fib_rec(n); }

/* SHA-256 */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
static void sha256_block(uint32_t h[8], const uint8_t *p) {
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

EXPORT("sha256") int64_t sha256(int32_t n) {
	static uint8_t buf[4096];
	for (int i = 0; i < 4096; i++) buf[i] = (uint8_t)(i * 7);
	uint32_t h[8] = {0};
	for (int32_t k = 0; k < n; k++) {
		h[0] = 0x6a09e667; h[1] = 0xbb67ae85; h[2] = 0x3c6ef372; h[3] = 0xa54ff53a;
		h[4] = 0x510e527f; h[5] = 0x9b05688c; h[6] = 0x1f83d9ab; h[7] = 0x5be0cd19;
		for (int off = 0; off < 4096; off += 64) sha256_block(h, buf + off);
		buf[0] = (uint8_t)h[0];
	}
	return (int64_t)h[0] << 32 | h[1];
}

EXPORT("crc32") int64_t crc32k(int32_t n) {
	static uint32_t table[256];
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	static uint8_t buf[4096];
	for (int i = 0; i < 4096; i++) buf[i] = (uint8_t)(i * 13);
	uint32_t c = 0;
	for (int32_t k = 0; k < n; k++) {
		c = ~c;
		for (int i = 0; i < 4096; i++) c = table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
		c = ~c;
	}
	return c;
}

static int cmp_u64(const void *a, const void *b) {
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

EXPORT("sort") int64_t sort(int32_t n) {
	uint64_t *xs = malloc(sizeof(uint64_t) * (size_t)n);
	if (!xs) return -1;
	rng_state = 88172645463325252ull;
	for (int32_t i = 0; i < n; i++) xs[i] = rng() >> 1;
	qsort(xs, (size_t)n, sizeof(uint64_t), cmp_u64);
	int64_t s = 0;
	for (int32_t i = 0; i < n; i += 97) s = s * 31 + (int64_t)(xs[i] & 0xffff);
	free(xs);
	return s;
}

/* A small JSON tokenizer + number parser over a generated document. */
static const char *skip_ws(const char *p) {
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
	return p;
}

static int64_t json_value(const char **pp, int depth);

static int64_t json_string(const char **pp) {
	const char *p = *pp + 1;
	int64_t h = 5381;
	while (*p && *p != '"') {
		if (*p == '\\') p++;
		h = h * 33 + *p++;
	}
	*pp = *p ? p + 1 : p;
	return h;
}

static int64_t json_value(const char **pp, int depth) {
	const char *p = skip_ws(*pp);
	int64_t h = 0;
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		p++;
		for (;;) {
			p = skip_ws(p);
			if (*p == close) { p++; break; }
			if (*p == ',' || *p == ':') { p++; continue; }
			if (!*p) break;
			*pp = p;
			h = h * 31 + json_value(pp, depth + 1);
			p = *pp;
		}
	} else if (*p == '"') {
		*pp = p;
		h = json_string(pp);
		p = *pp;
	} else {
		double v = strtod(p, (char **)&p);
		h = (int64_t)(v * 1000);
		if (p == *pp) p++;
	}
	*pp = p;
	return h;
}

EXPORT("json") int64_t json(int32_t n) {
	static char doc[16384];
	if (!doc[0]) {
		char *w = doc;
		*w++ = '[';
		for (int i = 0; i < 100; i++) {
			char tmp[160];
			int k = 0;
			const char *pre = "{\"id\": ";
			while (*pre) tmp[k++] = *pre++;
			int v = i * 37, digits[12], nd = 0;
			do { digits[nd++] = v % 10; v /= 10; } while (v);
			while (nd) tmp[k++] = (char)('0' + digits[--nd]);
			const char *rest = ", \"name\": \"watch\", \"tags\": [\"a\", \"bb\"], \"score\": 12.5e-1, \"ok\": 1},";
			while (*rest) tmp[k++] = *rest++;
			memcpy(w, tmp, (size_t)k);
			w += k;
		}
		w[-1] = ']';
		*w = 0;
	}
	int64_t s = 0;
	for (int32_t i = 0; i < n; i++) {
		const char *p = doc;
		s += json_value(&p, 0) & 0xffff;
	}
	return s;
}

EXPORT("mandelbrot") int64_t mandelbrot(int32_t n) {
	int64_t count = 0;
	for (int py = 0; py < n; py++)
		for (int px = 0; px < n; px++) {
			double x0 = (double)px / n * 3.5 - 2.5, y0 = (double)py / n * 2 - 1, x = 0, y = 0;
			int i = 0;
			for (; x * x + y * y <= 4 && i < 100; i++) {
				double t = x * x - y * y + x0;
				y = 2 * x * y + y0;
				x = t;
			}
			count += i;
		}
	return count;
}

EXPORT("nbody") int64_t nbody(int32_t n) {
	double b[5][7] = {{0, 0, 0, 0, 0, 0, 39.47}, {4.84, -1.16, -0.10, 0.60, 2.81, -0.02, 0.037},
	                  {8.34, 4.12, -0.4, -1.01, 1.82, 0.008, 0.011}, {12.89, -15.11, -0.22, 1.08, 0.86, -0.01, 0.0017},
	                  {15.37, -25.9, 0.17, 0.97, 0.59, -0.03, 0.002}};
	const double dt = 0.01;
	for (int32_t s = 0; s < n; s++) {
		for (int i = 0; i < 5; i++)
			for (int j = i + 1; j < 5; j++) {
				double dx = b[i][0] - b[j][0], dy = b[i][1] - b[j][1], dz = b[i][2] - b[j][2];
				double d2 = dx * dx + dy * dy + dz * dz, mag = dt / (d2 * sqrt(d2));
				b[i][3] -= dx * b[j][6] * mag; b[i][4] -= dy * b[j][6] * mag; b[i][5] -= dz * b[j][6] * mag;
				b[j][3] += dx * b[i][6] * mag; b[j][4] += dy * b[i][6] * mag; b[j][5] += dz * b[i][6] * mag;
			}
		for (int i = 0; i < 5; i++) {
			b[i][0] += dt * b[i][3]; b[i][1] += dt * b[i][4]; b[i][2] += dt * b[i][5];
		}
	}
	double r = b[0][0] + b[1][1];
	int64_t bits;
	memcpy(&bits, &r, 8);
	return bits;
}

EXPORT("matmul") int64_t matmul(int32_t n) {
	static double a[64][64], bm[64][64], c[64][64];
	for (int i = 0; i < 64; i++)
		for (int j = 0; j < 64; j++) { a[i][j] = i + j * 0.5; bm[i][j] = i * 0.25 - j; }
	for (int32_t k = 0; k < n; k++) {
		for (int i = 0; i < 64; i++)
			for (int j = 0; j < 64; j++) {
				double s = 0;
				for (int l = 0; l < 64; l++) s += a[i][l] * bm[l][j];
				c[i][j] = s;
			}
		a[0][0] = c[63][63] * 1e-9;
	}
	return (int64_t)c[10][10];
}

EXPORT("sieve") int64_t sieve(int32_t n) {
	uint8_t *s = malloc((size_t)n + 1);
	if (!s) return -1;
	memset(s, 1, (size_t)n + 1);
	int64_t count = 0;
	for (int32_t i = 2; i <= n; i++) {
		if (!s[i]) continue;
		count++;
		for (int64_t j = (int64_t)i * i; j <= n; j += i) s[j] = 0;
	}
	free(s);
	return count;
}

EXPORT("memops") int64_t memops(int32_t n) {
	/* Bulk memory: exercises memory.fill / memory.copy (size-charged). */
	static uint8_t a[65536], b[65536];
	int64_t s = 0;
	for (int32_t i = 0; i < n; i++) {
		memset(a, i & 0xff, sizeof a);
		memcpy(b, a, sizeof b);
		s += b[i & 0xffff];
	}
	return s;
}

EXPORT("loop") int64_t loop(int32_t n) {
	/* A tight counting loop: the worst case for per-iteration checks. */
	int64_t s = 0;
	for (volatile int32_t i = 0; i < n; i++) s += (int64_t)i ^ (s >> 3);
	return s;
}
