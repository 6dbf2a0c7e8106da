package gpx_test

import (
	"fmt"
	"time"

	"github.com/watchbox/watchbox/host/sensors/gpx"
)

func ExampleTrack_At() {
	data := []byte(`<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"
  xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
 <trk><trkseg>
  <trkpt lat="46.5000" lon="6.6000"><time>2026-06-01T07:00:00Z</time>
   <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>120</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>
  <trkpt lat="46.5010" lon="6.6000"><time>2026-06-01T07:00:40Z</time>
   <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>140</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>
 </trkseg></trk>
</gpx>`)
	tr, err := gpx.Parse("run.gpx", data)
	if err != nil {
		fmt.Println(err)
		return
	}
	f, ok := tr.At(tr.Start().Add(10 * time.Second))
	fmt.Printf("%v lat %.5f lon %.4f hr %.0f %.1f m at %.2f m/s course %.0f\n", ok, f.Lat, f.Lon, f.HR, f.Distance, f.Speed, f.Course)
	_, ok = tr.At(tr.End().Add(time.Second))
	fmt.Println("after the end:", ok)
	// Output:
	// true lat 46.50025 lon 6.6000 hr 125 27.8 m at 2.78 m/s course 0
	// after the end: false
}

func ExampleParse_error() {
	_, err := gpx.Parse("run.gpx", []byte(`<gpx><trk><trkseg>
<trkpt lat="46.5" lon="6.6"><time>2026-06-01T07:00:10Z</time></trkpt>
<trkpt lat="6.6" lon="246.5"><time>2026-06-01T07:00:20Z</time></trkpt>
<trkpt lat="46.5" lon="6.6"><time>2026-06-01T07:00:05Z</time></trkpt>
</trkseg></trk></gpx>`))
	fmt.Println(err)
	// Output:
	// run.gpx:3: <trkpt> lon="246.5" is outside -180..180 degrees; check that lat and lon are not swapped
	// run.gpx:4: <trkpt> #3's time 2026-06-01T07:00:05Z is before the previous point's 2026-06-01T07:00:20Z (line 3); points must be in time order
}
