package samples

import (
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"t,bpm\n0,72\n5,73\n",
		"# c\ntime,v\n2026-06-01T07:00:00Z,1\n2026-06-01T07:00:05Z,2\n",
		"t,bpm\n1m30s,4\n",
		`[{"t":0,"v":1},{"t":"5s","v":2}]`,
		`{"name":"x","interpolation":"step","samples":[{"t":1,"v":2}]}`,
		"[\n{\"t\":1 \"v\":2}\n]",
	} {
		f.Add("a.csv", []byte(s))
		f.Add("a.json", []byte(s))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		sr, err := Parse(name, data, Options{})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if len(sr.Samples) == 0 {
			t.Fatal("no samples and no error")
		}
		for i := 1; i < len(sr.Samples); i++ {
			if sr.Samples[i].T <= sr.Samples[i-1].T {
				t.Fatalf("times not increasing at %d", i)
			}
		}
		first, last := sr.Span()
		for _, d := range []time.Duration{first - 1, first, (first + last) / 2, last, last + 1} {
			sr.At(d)
		}
	})
}
