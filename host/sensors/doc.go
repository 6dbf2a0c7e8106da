// Package sensors holds what the deterministic sensor data sources of
// watchbox share: the Source interface a workout or a location session
// reads values from, the Error type of bad data files, and Pauses, the
// elapsed time of a session with its pauses left out.
//
// The sources themselves live in subpackages:
//
//   - gpx reads routes (GPX 1.0 and 1.1 waypoints, routes and tracks with
//     timestamps, heart rate from Garmin TrackPointExtension) and gives a
//     position, distance, speed and course at any time by linear
//     interpolation.
//   - samples reads time series of one value (heart rate, say) from CSV or
//     JSON files, generates seeded synthetic heart rate, and derives
//     active energy and distance.
//
// # Time
//
// A Source is indexed by the offset since the start of its session (a
// time.Duration), not by wall time, so the same file gives the same values
// whatever virtual date a scenario starts on. Files with absolute times are
// turned into offsets when read (each package says how).
//
// Sources know nothing of pauses: At(d) is the value d after the session
// started, paused or not. A workout leaves pauses out with Pauses:
// Elapsed gives the running time (HKLiveWorkoutBuilder's elapsedTime),
// Offset turns running time back into a session offset, and Cumulative
// sums a cumulative source (distance, energy) over the running stretches
// only.
//
// A source answers only within its span (ok false outside). Hold wraps a
// source to hold its first and last values instead, for a session that
// outlasts its data file.
//
// # Determinism
//
// Nothing here reads the wall clock, the environment or a global random
// source. A file gives the same series on every run and every machine; a
// synthetic generator gives the same series for the same seed and
// parameters (see samples.SyntheticHR).
package sensors
