package samples

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// HR holds the parameters of a synthetic heart-rate series. SyntheticHR
// uses every field as given (a zero Noise is no noise); DefaultHR gives a
// complete set to start from.
type HR struct {
	// Seed seeds the noise. The same seed and parameters give the same
	// series on every run and every machine.
	Seed uint64
	// Duration is how long the series runs; it has a sample at 0 and every
	// Step up to and including Duration.
	Duration time.Duration
	// Step is the time between samples: the workout heart-rate cadence of
	// the device profile, about 5 s on watchOS.
	Step time.Duration
	// Rest is the heart rate at offset 0, in beats per minute.
	Rest float64
	// Target is the centre of the training zone the warm-up ramps to.
	Target float64
	// WarmUp is how long the ramp from Rest to Target takes.
	WarmUp time.Duration
	// Drift is the cardiac drift: how many beats per minute the heart
	// rate rises per hour at a steady effort.
	Drift float64
	// Noise bounds the deviation from the smooth curve, in beats per
	// minute.
	Noise float64
}

// DefaultHR returns the parameters of a 30-minute steady run with the
// given seed: samples every 5 s (the workout cadence), resting 72 bpm, a
// 6-minute warm-up to 152 bpm, a drift of 8 bpm an hour and noise of at
// most 4 bpm.
func DefaultHR(seed uint64) HR {
	return HR{
		Seed:     seed,
		Duration: 30 * time.Minute,
		Step:     5 * time.Second,
		Rest:     72,
		Target:   152,
		WarmUp:   6 * time.Minute,
		Drift:    8,
		Noise:    4,
	}
}

// seedStream is the second PCG word; with the seed it picks the stream.
const seedStream = 0x77617463_68626f78 // "watchbox"

// maxSynthSamples bounds a generated series (a day at 1 s).
const maxSynthSamples = 86400

// SyntheticHR generates a heart-rate series in beats per minute named
// "heart_rate", one sample every Step from 0 to Duration, values rounded
// to whole beats:
//
//	x     = min(t/WarmUp, 1)                                (1 when WarmUp is 0)
//	curve = Rest + (Target-Rest)·x²(3-2x) + Drift·t/1h
//	n     = clamp(0.8·n + Noise·(u-0.5), -Noise, +Noise)   (n starts at 0)
//	v     = round(curve + n)
//
// where u is the next rand.Float64 of a PCG seeded with (Seed,
// 0x7761746368626f78), drawn once per sample. The smooth ramp is the warm
// up, the bounded random walk n looks like a real sensor's wander, and
// every product is rounded on its own so no platform fuses it: the same
// HR gives the same series everywhere.
//
// It fails, never panics, on parameters out of range: negative Duration,
// Step <= 0, rates outside 20..250 bpm, negative WarmUp, Drift or Noise,
// or more than 86400 samples.
func SyntheticHR(h HR) (*Series, error) {
	switch {
	case h.Duration < 0:
		return nil, fmt.Errorf("synthetic heart rate: duration %v is negative", h.Duration)
	case h.Step <= 0:
		return nil, fmt.Errorf("synthetic heart rate: step %v must be positive, such as 5s", h.Step)
	case !(h.Rest >= 20 && h.Rest <= 250) || !(h.Target >= 20 && h.Target <= 250):
		return nil, fmt.Errorf("synthetic heart rate: rest %v and target %v must be 20..250 bpm", h.Rest, h.Target)
	case h.WarmUp < 0 || !(h.Drift >= 0 && h.Drift <= 100) || !(h.Noise >= 0 && h.Noise <= 50):
		return nil, fmt.Errorf("synthetic heart rate: warm-up %v must be 0 or more, drift %v 0..100 bpm/h and noise %v 0..50 bpm", h.WarmUp, h.Drift, h.Noise)
	case h.Duration/h.Step >= maxSynthSamples:
		return nil, fmt.Errorf("synthetic heart rate: %v at %v is more than %d samples; use a longer step or a shorter duration", h.Duration, h.Step, maxSynthSamples)
	}
	rng := rand.New(rand.NewPCG(h.Seed, seedStream))
	n := int(h.Duration/h.Step) + 1
	s := &Series{Name: "heart_rate", Interp: Linear, Samples: make([]Sample, 0, n)}
	noise := 0.0
	for i := range n {
		t := time.Duration(i) * h.Step
		x := 1.0
		if t < h.WarmUp {
			x = float64(t) / float64(h.WarmUp)
		}
		ramp := float64(float64(x*x) * float64(3-float64(2*x)))
		curve := h.Rest + float64((h.Target-h.Rest)*ramp) + float64(h.Drift*t.Hours())
		noise = float64(0.8*noise) + float64(h.Noise*float64(rng.Float64()-0.5))
		noise = max(-h.Noise, min(noise, h.Noise))
		s.Samples = append(s.Samples, Sample{T: t, V: math.Round(curve + noise)})
	}
	return s, nil
}
