package gpx

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/sensors"
)

var t0 = time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)

const gpx11 = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
  <metadata><name>Meta</name></metadata>
  <wpt lat="1" lon="1"><name>no time, ignored</name></wpt>
  <trk><name>Morning Run</name><trkseg>
    <trkpt lat="10" lon="20"><ele>100</ele><time>2026-06-01T07:00:00Z</time>
      <extensions><ns3:TrackPointExtension><ns3:hr>100</ns3:hr><ns3:cad>80</ns3:cad></ns3:TrackPointExtension></extensions>
    </trkpt>
    <trkpt lat="12" lon="20"><time>2026-06-01T09:00:20+02:00</time></trkpt>
  </trkseg><trkseg>
    <trkpt lat="12" lon="20"><ele>120</ele><time>2026-06-01T07:00:30Z</time>
      <extensions><gpxtpx:TrackPointExtension xmlns:gpxtpx="x"><gpxtpx:hr> 130 </gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>
    </trkpt>
    <trkpt lat="12" lon="20"><time>2026-06-01T07:00:30Z</time></trkpt>
    <trkpt lat="12" lon="22"><time>2026-06-01T07:00:40</time></trkpt>
  </trkseg></trk>
</gpx>
`

func TestParse11(t *testing.T) {
	tr, err := Parse("run.gpx", []byte(gpx11))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Kind != "trkpt" || tr.Name != "Meta" || len(tr.Points) != 5 {
		t.Fatalf("got kind %q name %q %d points", tr.Kind, tr.Name, len(tr.Points))
	}
	p := tr.Points[0]
	if p.Lat != 10 || p.Lon != 20 || !p.HasEle || p.Ele != 100 || !p.HasHR || p.HR != 100 || !p.Time.Equal(t0) || p.Line != 7 {
		t.Errorf("point 0: %+v", p)
	}
	if p := tr.Points[1]; p.HasEle || p.HasHR || !p.Time.Equal(t0.Add(20*time.Second)) || p.Time.Location() != time.UTC {
		t.Errorf("point 1: %+v", p)
	}
	if p := tr.Points[2]; p.HR != 130 || p.Line != 12 {
		t.Errorf("point 2: %+v", p)
	}
	if !tr.End().Equal(t0.Add(40*time.Second)) || tr.Duration() != 40*time.Second {
		t.Errorf("end %v", tr.End())
	}
}

func TestAt(t *testing.T) {
	tr, err := Parse("run.gpx", []byte(gpx11))
	if err != nil {
		t.Fatal(err)
	}
	north := 2 * math.Pi / 180 * EarthRadius // 2 degrees of latitude
	east := Haversine(12, 20, 12, 22)
	for _, c := range []struct {
		at                  time.Duration
		lat, lon            float64
		ele                 float64
		hasEle              bool
		hr                  float64
		hasHR               bool
		dist, speed, course float64
	}{
		{0, 10, 20, 100, true, 100, true, 0, north / 20, 0},
		{5 * time.Second, 10.5, 20, 100 + 20.0/6, true, 105, true, north / 4, north / 20, 0},
		{20 * time.Second, 12, 20, 100 + 40.0/3, true, 120, true, north, 0, -1},
		{25 * time.Second, 12, 20, 100 + 50.0/3, true, 125, true, north, 0, -1},
		{30 * time.Second, 12, 20, 120, true, 130, true, north, east / 10, Bearing(12, 20, 12, 22)},
		{35 * time.Second, 12, 21, 0, false, 0, false, north + east/2, east / 10, Bearing(12, 20, 12, 22)},
		{40 * time.Second, 12, 22, 0, false, 0, false, north + east, east / 10, Bearing(12, 20, 12, 22)},
	} {
		f, ok := tr.At(t0.Add(c.at))
		if !ok {
			t.Errorf("At(+%v): not ok", c.at)
			continue
		}
		if f.Lat != c.lat || f.Lon != c.lon || f.HasEle != c.hasEle || f.HasHR != c.hasHR || f.HR != c.hr || f.Course != c.course ||
			math.Abs(f.Ele-c.ele) > 1e-12 || math.Abs(f.Distance-c.dist) > 1e-6 || math.Abs(f.Speed-c.speed) > 1e-9 {
			t.Errorf("At(+%v) = %+v\nwant lat %v lon %v ele %v/%v hr %v/%v dist %v speed %v course %v", c.at, f, c.lat, c.lon, c.ele, c.hasEle, c.hr, c.hasHR, c.dist, c.speed, c.course)
		}
	}
	for _, at := range []time.Duration{-time.Nanosecond, 40*time.Second + time.Nanosecond} {
		if _, ok := tr.At(t0.Add(at)); ok {
			t.Errorf("At(+%v): ok outside the route", at)
		}
	}
	if f, ok := tr.At(tr.Clamp(t0.Add(time.Hour))); !ok || f.Lon != 22 {
		t.Errorf("clamped: %+v %v", f, ok)
	}
	if b := Bearing(12, 20, 12, 22); b < 89 || b > 90 {
		t.Errorf("bearing east: %v", b)
	}
	if math.Abs(tr.Length()-(north+east)) > 1e-6 {
		t.Errorf("length %v", tr.Length())
	}
}

func TestSource(t *testing.T) {
	tr, err := Parse("run.gpx", []byte(gpx11))
	if err != nil {
		t.Fatal(err)
	}
	start := t0.Add(-10 * time.Second) // the session began 10 s before the route
	hr := tr.Source(HeartRate, start)
	if f, l := hr.Span(); f != 10*time.Second || l != 50*time.Second {
		t.Errorf("span %v..%v", f, l)
	}
	if v, ok := hr.At(15 * time.Second); v != 105 || !ok {
		t.Errorf("hr at 15s: %v %v", v, ok)
	}
	if _, ok := hr.At(45 * time.Second); ok {
		t.Error("hr where no point has it: ok")
	}
	if _, ok := hr.At(0); ok {
		t.Error("hr before the route: ok")
	}
	d := tr.Source(Distance, time.Time{})
	if v, ok := d.At(40 * time.Second); !ok || v != tr.Length() {
		t.Errorf("distance at end: %v %v", v, ok)
	}
	if v, _ := tr.Source(Latitude, time.Time{}).At(5 * time.Second); v != 10.5 {
		t.Errorf("lat %v", v)
	}
}

func TestWaypointsAndRoutes(t *testing.T) {
	// GPX 1.0, no namespace prefix on anything, Xcode-style waypoints.
	wpt := `<gpx version="1.0" xmlns="http://www.topografix.com/GPX/1/0">
<wpt lat="37.3349" lon="-122.0090"><time>2026-06-01T07:00:00Z</time></wpt>
<wpt lat="37.3350" lon="-122.0080"><time>2026-06-01T07:00:10Z</time></wpt>
</gpx>`
	tr, err := Parse("x.gpx", []byte(wpt))
	if err != nil || tr.Kind != "wpt" || len(tr.Points) != 2 {
		t.Fatalf("wpt: %v %+v", err, tr)
	}
	rte := `<gpx><wpt lat="0" lon="0"/><rte><name>R</name>
<rtept lat="0" lon="179.5"><time>2026-06-01T07:00:00Z</time></rtept>
<rtept lat="0" lon="-179.5"><time>2026-06-01T07:00:10Z</time></rtept>
</rte></gpx>`
	tr, err = Parse("x.gpx", []byte(rte))
	if err != nil || tr.Kind != "rtept" || tr.Name != "R" {
		t.Fatalf("rte: %v %+v", err, tr)
	}
	// Across the antimeridian: the short way.
	if f, _ := tr.At(t0.Add(5 * time.Second)); f.Lon != 180 && f.Lon != -180 {
		t.Errorf("antimeridian midpoint lon %v", f.Lon)
	}
	if f, _ := tr.At(t0.Add(2500 * time.Millisecond)); f.Lon != 179.75 {
		t.Errorf("antimeridian quarter lon %v", f.Lon)
	}
	if f, _ := tr.At(t0.Add(7500 * time.Millisecond)); f.Lon != -179.75 {
		t.Errorf("antimeridian three quarters lon %v", f.Lon)
	}
	latin1 := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<gpx><trk><name>Z\xfcrich</name><trkseg><trkpt lat=\"47.37\" lon=\"8.54\"><time>2026-06-01T07:00:00Z</time></trkpt></trkseg></trk></gpx>"
	tr, err = Parse("x.gpx", []byte(latin1))
	if err != nil || tr.Name != "Zürich" {
		t.Fatalf("latin1: %v %+v", err, tr)
	}
	if f, ok := tr.At(t0); !ok || f.Speed != 0 || f.Course != -1 {
		t.Errorf("single point: %+v %v", f, ok)
	}
}

func TestParseErrors(t *testing.T) {
	head := "<gpx version=\"1.1\">\n<trk><trkseg>\n" // lines 1-2
	pt := func(lat, lon, tm string) string {
		return `<trkpt lat="` + lat + `" lon="` + lon + `"><time>` + tm + "</time></trkpt>\n"
	}
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", []string{"x.gpx: the file is empty"}},
		{"not gpx", "<kml>\n</kml>", []string{"x.gpx:1: the root element is <kml>"}},
		{"no points", "<gpx>\n<trk/>\n</gpx>", []string{"x.gpx: the file has no points"}},
		{"syntax", head + "<trkpt lat=\"1\" lon=\"2\">\n<time>x</tim>\n", []string{"x.gpx:4: invalid XML"}},
		{"unclosed", head + pt("1", "2", "2026-06-01T07:00:00Z"), []string{"x.gpx:4: invalid XML: unexpected EOF"}},
		{"encoding", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<gpx/>", []string{"x.gpx:1: invalid XML: xml: opening charset \"UTF-16\": encoding \"UTF-16\" is not supported; save the file as UTF-8"}},
		{"points", head +
			pt("1", "2", "2026-06-01T07:00:00Z") + // 3
			pt("91", "2", "2026-06-01T07:00:01Z") + // 4
			pt("1", "-181", "2026-06-01T07:00:02Z") + // 5
			pt("north", "2", "2026-06-01T07:00:03Z") + // 6
			"<trkpt lon=\"2\"><time>2026-06-01T07:00:04Z</time></trkpt>\n" + // 7
			pt("1", "2", "yesterday") + // 8
			pt("1", "2", "0001-01-01T00:00:00Z") + // 9
			"<trkpt lat=\"1\" lon=\"2\"><ele>high</ele><time>2026-06-01T07:00:05Z</time><extensions><hr>999</hr></extensions></trkpt>\n" + // 10
			"</trkseg></trk></gpx>\n",
			[]string{
				"x.gpx:4: <trkpt> lat=\"91\" is outside -90..90 degrees",
				"x.gpx:5: <trkpt> lon=\"-181\" is outside -180..180 degrees",
				"x.gpx:6: <trkpt> lat=\"north\" is not a number of degrees",
				"x.gpx:7: <trkpt> has no lat attribute",
				"x.gpx:8: <time> \"yesterday\" is not a UTC time",
				"x.gpx:9: <time> \"0001-01-01T00:00:00Z\" is the zero time",
				"x.gpx:10: <ele> \"high\" is not a number of metres",
				"x.gpx:10: heart rate <hr> 999 is outside 0..300 beats per minute",
			}},
		{"times", head +
			pt("1", "2", "2026-06-01T07:00:10Z") + // 3
			"<trkpt lat=\"1\" lon=\"2\"/>\n" + // 4
			pt("1", "2", "2026-06-01T07:00:20Z") + // 5
			pt("1", "2", "2026-06-01T07:00:19Z") + // 6
			"</trkseg></trk></gpx>\n",
			[]string{
				"x.gpx:4: <trkpt> #2 has no <time>",
				"x.gpx:6: <trkpt> #4's time 2026-06-01T07:00:19Z is before the previous point's 2026-06-01T07:00:20Z (line 5)",
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.gpx", []byte(c.in))
			var es sensors.Errors
			if !errors.As(err, &es) {
				t.Fatalf("error %T %v is not sensors.Errors", err, err)
			}
			if len(es) != len(c.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(es), len(c.want), err)
			}
			for i, e := range es {
				if !strings.HasPrefix(e.Error(), c.want[i]) {
					t.Errorf("problem %d:\n got  %s\n want %s...", i, e, c.want[i])
				}
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	tr, err := ReadFile("testdata/run-5k.gpx")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Kind != "trkpt" || tr.Name != "Golden Gate Park 5K (synthetic)" || len(tr.Points) < 1000 {
		t.Errorf("got %q %q %d points", tr.Kind, tr.Name, len(tr.Points))
	}
	// Halfway through the run: between two points, moving at a runner's
	// speed, with heart rate.
	f, ok := tr.At(tr.Start().Add(tr.Duration() / 2))
	if !ok || !f.HasHR || !f.HasEle || f.Speed < 2 || f.Speed > 5 || f.Course < 0 || f.Distance < 2000 || f.Distance > 3000 {
		t.Errorf("halfway: %+v %v", f, ok)
	}
	if _, err := ReadFile("testdata/missing.gpx"); err == nil || err.Error() != "testdata/missing.gpx: GPX file not found" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ReadFile("testdata"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}
