package gpx

import (
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(gpx11))
	f.Add([]byte(`<gpx><wpt lat="0" lon="179.5"><time>2026-06-01T07:00:00Z</time></wpt><wpt lat="0" lon="-179.5"><time>2026-06-01T07:00:10Z</time></wpt></gpx>`))
	f.Add([]byte(`<gpx><rte><rtept lat="1" lon="2"><ele>3</ele><time>2026-06-01T07:00:00</time></rtept></rte></gpx>`))
	f.Add([]byte("<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\">\n<time>x</tim>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := Parse("f.gpx", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if len(tr.Points) == 0 {
			t.Fatal("no points and no error")
		}
		d := tr.Duration()
		for _, at := range []time.Duration{-1, 0, d / 3, d / 2, d, d + 1} {
			f, ok := tr.At(tr.Start().Add(at))
			if ok && (f.Lat < -90 || f.Lat > 90 || f.Lon < -180 || f.Lon > 180 || f.Distance < 0) {
				t.Fatalf("At(+%v) = %+v", at, f)
			}
		}
		tr.Source(HeartRate, time.Time{}).At(d / 2)
	})
}
