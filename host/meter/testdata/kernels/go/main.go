// Command kernels is a set of CPU kernels compiled to WebAssembly
// (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared) for the metering tests and
// benchmarks of host/meter. Every export takes a size and returns a checksum
// so the result can be compared between the original and the instrumented
// module.
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"math"
	"sort"
	"strconv"
	"strings"
)

func main() {}

//go:wasmexport fib
func fib(n int32) int64 {
	if n < 2 {
		return int64(n)
	}
	return fib(n-1) + fib(n-2)
}

//go:wasmexport sha256
func sha(n int32) int64 {
	buf := make([]byte, 4096)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	var sum [32]byte
	for i := int32(0); i < n; i++ {
		sum = sha256.Sum256(buf)
		buf[0] = sum[0]
	}
	return int64(binary.LittleEndian.Uint64(sum[:]))
}

//go:wasmexport crc32
func crc(n int32) int64 {
	buf := make([]byte, 4096)
	for i := range buf {
		buf[i] = byte(i * 13)
	}
	var c uint32
	for i := int32(0); i < n; i++ {
		c = crc32.Update(c, crc32.IEEETable, buf)
	}
	return int64(c)
}

type rng uint64

func (r *rng) next() uint64 {
	*r ^= *r << 13
	*r ^= *r >> 7
	*r ^= *r << 17
	return uint64(*r)
}

//go:wasmexport sort
func sortKernel(n int32) int64 {
	r := rng(88172645463325252)
	xs := make([]int, n)
	for i := range xs {
		xs[i] = int(r.next() >> 1)
	}
	sort.Ints(xs)
	var s int64
	for i := 0; i < len(xs); i += 97 {
		s = s*31 + int64(xs[i]&0xffff)
	}
	return s
}

type record struct {
	ID    int               `json:"id"`
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Score float64           `json:"score"`
	Attrs map[string]string `json:"attrs"`
}

//go:wasmexport json
func jsonKernel(n int32) int64 {
	var total int64
	recs := make([]record, 20)
	for i := range recs {
		recs[i] = record{ID: i, Name: "watch-" + strconv.Itoa(i), Tags: []string{"a", "bb", "ccc"}, Score: float64(i) * 1.25,
			Attrs: map[string]string{"k": "v", "hr": strconv.Itoa(60 + i)}}
	}
	for i := int32(0); i < n; i++ {
		b, err := json.Marshal(recs)
		if err != nil {
			return -1
		}
		var back []record
		if err := json.Unmarshal(b, &back); err != nil {
			return -2
		}
		total += int64(len(b)) + int64(back[len(back)-1].ID)
	}
	return total
}

//go:wasmexport mandelbrot
func mandelbrot(n int32) int64 {
	var count int64
	for py := int32(0); py < n; py++ {
		for px := int32(0); px < n; px++ {
			x0 := float64(px)/float64(n)*3.5 - 2.5
			y0 := float64(py)/float64(n)*2 - 1
			x, y := 0.0, 0.0
			i := 0
			for ; x*x+y*y <= 4 && i < 100; i++ {
				x, y = x*x-y*y+x0, 2*x*y+y0
			}
			count += int64(i)
		}
	}
	return count
}

//go:wasmexport nbody
func nbody(n int32) int64 {
	type body struct{ x, y, z, vx, vy, vz, m float64 }
	bs := []body{{0, 0, 0, 0, 0, 0, 39.47}, {4.84, -1.16, -0.10, 0.60, 2.81, -0.02, 0.037},
		{8.34, 4.12, -0.4, -1.01, 1.82, 0.008, 0.011}, {12.89, -15.11, -0.22, 1.08, 0.86, -0.01, 0.0017},
		{15.37, -25.9, 0.17, 0.97, 0.59, -0.03, 0.002}}
	const dt = 0.01
	for s := int32(0); s < n; s++ {
		for i := range bs {
			for j := i + 1; j < len(bs); j++ {
				dx, dy, dz := bs[i].x-bs[j].x, bs[i].y-bs[j].y, bs[i].z-bs[j].z
				d2 := dx*dx + dy*dy + dz*dz
				mag := dt / (d2 * math.Sqrt(d2))
				bs[i].vx -= dx * bs[j].m * mag
				bs[i].vy -= dy * bs[j].m * mag
				bs[i].vz -= dz * bs[j].m * mag
				bs[j].vx += dx * bs[i].m * mag
				bs[j].vy += dy * bs[i].m * mag
				bs[j].vz += dz * bs[i].m * mag
			}
		}
		for i := range bs {
			bs[i].x += dt * bs[i].vx
			bs[i].y += dt * bs[i].vy
			bs[i].z += dt * bs[i].vz
		}
	}
	return int64(math.Float64bits(bs[0].x + bs[1].y))
}

//go:wasmexport maps
func maps(n int32) int64 {
	m := map[string]int{}
	var s int64
	for i := int32(0); i < n; i++ {
		k := "key" + strconv.Itoa(int(i%5000))
		m[k] += int(i)
		s += int64(m[k] & 0xff)
	}
	return s + int64(len(m))
}

//go:wasmexport strings
func stringsKernel(n int32) int64 {
	var s int64
	for i := int32(0); i < n; i++ {
		var b strings.Builder
		for j := 0; j < 50; j++ {
			b.WriteString(strconv.Itoa(j * int(i)))
			b.WriteByte(',')
		}
		parts := strings.Split(b.String(), ",")
		s += int64(len(parts)) + int64(strings.Count(b.String(), "1"))
	}
	return s
}

//go:wasmexport loop
func loop(n int32) int64 {
	// A tight counting loop: the worst case for per-iteration checks.
	var s int64
	for i := int32(0); i < n; i++ {
		s += int64(i) ^ (s >> 3)
	}
	return s
}
