// Package samples is the deterministic source of one sensor quantity over
// a session, such as a workout's heart rate: a time series read from a
// CSV or JSON file, or generated from a seed, and quantities derived from
// it (active energy, distance).
//
// A Series implements sensors.Source. Its times are offsets since the
// session start; At interpolates linearly between samples (Linear, the
// default) or holds the last value (Step), and answers only between the
// first and the last sample (wrap it in sensors.Hold to hold the ends).
//
// # CSV format
//
// A UTF-8 text file, "\n" or "\r\n" line ends, optional byte order mark:
//
//	# Heart rate of a 30-minute run, one sample every 5 s.
//	t,bpm
//	0,72
//	5,73
//	1m30s,101
//
// The rules:
//
//   - Blank lines and lines whose first non-blank character is "#" are
//     ignored anywhere in the file. There are no comments after data.
//   - The first other line is the header: two comma-separated fields, the
//     time column ("t", "time" or "offset", any case) and the name of the
//     value (any text: "bpm", "heart_rate"), which becomes Series.Name.
//   - Every further line is one sample: TIME,VALUE. Spaces around fields
//     are ignored; there is no quoting.
//   - TIME is one of: a number of seconds ("5", "12.5"); a Go duration
//     ("90s", "1m30s", "1h2m3.5s"); or an RFC 3339 time
//     ("2026-06-01T07:00:05Z", "2026-06-01T09:00:05.250+02:00"). Seconds
//     and durations are offsets since the session start and may not be
//     negative. All samples of a file use offsets, or all use RFC 3339
//     times. RFC 3339 times become offsets from Options.Start, or from the
//     first sample's time when Start is zero (the first sample is then at
//     0); Series.Start records which.
//   - VALUE is a decimal number ("142", "142.5", "-3", "1e3"), finite.
//   - Times increase strictly from one sample to the next.
//   - At least one sample.
//
// Series.WriteCSV writes this format (offsets in exact decimal seconds).
//
// # JSON format
//
// Either a bare array of samples or an object holding one:
//
//	[{"t": 0, "v": 72}, {"t": "5s", "v": 73}]
//
//	{
//	  "name": "heart_rate",
//	  "unit": "count/min",
//	  "interpolation": "linear",
//	  "samples": [{"t": 0, "v": 72}, {"t": "5s", "v": 73}]
//	}
//
// The rules:
//
//   - A sample is an object with exactly the keys "t" and "v". "t" is a
//     JSON number of seconds or a string in any TIME form of the CSV
//     format; "v" is a JSON number.
//   - The object's keys are "name" (Series.Name), "unit" (documentation
//     only, not interpreted), "interpolation" ("linear" or "step") and
//     "samples" (required). Other keys are errors, to catch typos.
//   - The rules on times and values are those of the CSV format.
//
// Options.Interp, when not Auto, overrides the file's interpolation.
//
// # Errors
//
// Parsers never panic. They report every problem they find, up to
// sensors.MaxErrors, as sensors.Errors: each "FILE:LINE: what is wrong;
// what to do", such as
//
//	hr.csv:7: time 30s is not after the previous sample's (line 6); samples must be in strictly increasing time order
//
// A JSON syntax error stops the JSON parser at its line.
//
// # Synthetic heart rate
//
// SyntheticHR generates a series from HR parameters and a seed: a smooth
// warm-up ramp from a resting rate to a target zone, a slow cardiac drift
// and a bounded random walk from a PCG generator (math/rand/v2). The same
// parameters give the same series on every run and machine; the formula is
// in SyntheticHR's documentation.
//
// # Derived quantities
//
// ActiveEnergyFromHR integrates Body.ActiveKcalPerMin, the heart-rate
// equation of Keytel et al. (2005) less its value at the resting heart
// rate, over a heart-rate source. ActiveEnergyFromDistance uses the ACSM
// net cost of 1 kcal/kg/km running (0.5 walking) on a distance source,
// such as a gpx.Track's. DistanceFromSpeed integrates a speed in m/s.
// All give cumulative values, 0 at the source's first offset.
package samples
