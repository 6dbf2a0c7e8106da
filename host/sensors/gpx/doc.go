// Package gpx reads GPX files into timed routes for background location
// and outdoor workouts: where the watch is at any virtual time, how far it
// has come, how fast and which way it moves, and the heart rate a
// recording watch stored with each point.
//
// # What is read
//
// Parse accepts GPX 1.1 and GPX 1.0 (elements are matched by local name,
// so any namespace, or none, works) in UTF-8, US-ASCII or ISO-8859-1:
//
//   - <trk><trkseg><trkpt lat lon> track points, the form watches and
//     sports apps export. All segments of all tracks are joined in file
//     order; the distance between the end of one segment and the start of
//     the next counts.
//   - <rte><rtept lat lon> route points, used when there are no track
//     points.
//   - <wpt lat lon> waypoints, used when there are neither: the form Xcode
//     location simulation replays.
//
// Of each point Parse reads the lat and lon attributes (degrees, WGS84,
// -90..90 and -180..180), <ele> (metres, optional), <time> and, anywhere
// inside <extensions>, an element named hr (heart rate in beats per
// minute, 0..300, optional): the Garmin TrackPointExtension
// <gpxtpx:TrackPointExtension><gpxtpx:hr>, v1 or v2, under any prefix, and
// the cluetrust <gpxdata:hr>. Everything else is ignored.
//
// <time> is an ISO 8601 / RFC 3339 time such as 2026-06-01T07:00:00Z or
// 2026-06-01T09:00:00.5+02:00; a time without a zone is taken as UTC.
// Every point of the kind used needs one, and times may not go backwards
// (equal times are allowed: the fix at that time is the last of them).
// Points of the other kinds need no time.
//
// # Replaying
//
// Track.At gives the Fix at a time by linear interpolation between the
// two points around it, as Xcode's simulation assumes straight, even
// motion between timestamped points: latitude, longitude (the short way
// across the antimeridian), elevation and heart rate (each between the
// nearest points that have it), distance along the route (the haversine
// length of earlier segments plus the elapsed share of the current one),
// speed (segment length over segment duration) and course (the segment's
// initial great-circle bearing, -1 when not moving).
//
// At reports times outside the route with ok false; it does not clamp.
// Track.Clamp clamps when that is wanted, and sensors.Hold does the same
// for a Source.
//
// Track.Source gives one quantity as a sensors.Source indexed by the
// offset since a session start, so a workout can read heart rate or
// distance from a GPX file as it reads them from a sample file.
//
// # Errors
//
// Parse never panics. It reports every problem it finds, up to
// sensors.MaxErrors, as sensors.Errors of the form "FILE:LINE: what is
// wrong; what to do", for example
//
//	run.gpx:1234: <trkpt> #610's time 2026-06-01T07:10:08Z is before the previous point's 2026-06-01T07:10:09Z (line 1232); points must be in time order
//
// Invalid XML stops it at the line of the syntax error. A point's line is
// the line where its start tag ends.
//
// # Determinism
//
// The same file gives the same track and the same fixes on every run.
// Distances and bearings use math.Sin and friends, so their last bits may
// differ between processor architectures, not between runs.
package gpx
