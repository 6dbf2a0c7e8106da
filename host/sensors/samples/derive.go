package samples

import (
	"fmt"
	"time"

	"github.com/watchbox/watchbox/host/sensors"
)

// Body is the person an energy estimate is for. A zero field takes its
// default: 70 kg, 35 years, resting heart rate 60 bpm, male.
type Body struct {
	WeightKg  float64
	AgeYears  float64
	Female    bool
	RestingHR float64 // beats per minute
}

// Defaults of Body's fields.
const (
	DefaultWeightKg  = 70
	DefaultAgeYears  = 35
	DefaultRestingHR = 60
)

func (b Body) withDefaults() Body {
	if b.WeightKg == 0 {
		b.WeightKg = DefaultWeightKg
	}
	if b.AgeYears == 0 {
		b.AgeYears = DefaultAgeYears
	}
	if b.RestingHR == 0 {
		b.RestingHR = DefaultRestingHR
	}
	return b
}

// kJPerMin is the energy expenditure of Keytel et al. (2005), "Prediction
// of energy expenditure from heart rate monitoring during submaximal
// exercise", J Sports Sci 23(3):289-97, the equations without VO2max, in
// kJ per minute.
func (b Body) kJPerMin(hr float64) float64 {
	if b.Female {
		return -20.4022 + float64(0.4472*hr) - float64(0.1263*b.WeightKg) + float64(0.074*b.AgeYears)
	}
	return -55.0969 + float64(0.6309*hr) + float64(0.1988*b.WeightKg) + float64(0.2017*b.AgeYears)
}

// KcalPerKJ converts kilojoules to kilocalories (thermochemical calorie).
const KcalPerKJ = 1 / 4.184

// ActiveKcalPerMin is the active energy rate at heart rate hr for body b:
// Keytel's expenditure at hr less that at the resting heart rate, so only
// the energy above rest counts (as HealthKit's active energy does), in
// kcal per minute and never negative.
func (b Body) ActiveKcalPerMin(hr float64) float64 {
	b = b.withDefaults()
	return max(0, float64((b.kJPerMin(hr)-b.kJPerMin(b.RestingHR))*KcalPerKJ))
}

// ActiveEnergyFromHR integrates b.ActiveKcalPerMin over the heart-rate
// source hr with the trapezoid rule at step, giving cumulative active
// energy in kcal, named "active_energy": 0 at hr's first offset, one
// sample every step after, and one at hr's last offset. Where hr has no
// value the rate is 0.
func ActiveEnergyFromHR(hr sensors.Source, b Body, step time.Duration) (*Series, error) {
	b = b.withDefaults()
	if !(b.WeightKg > 0 && b.WeightKg < 500 && b.AgeYears > 0 && b.AgeYears < 150 && b.RestingHR >= 20 && b.RestingHR <= 250) {
		return nil, fmt.Errorf("active energy: weight %v kg must be 0..500, age %v 0..150 and resting heart rate %v 20..250", b.WeightKg, b.AgeYears, b.RestingHR)
	}
	return integrate(hr, step, "active_energy", func(v float64) float64 { return b.ActiveKcalPerMin(v) / 60 })
}

// Net energy cost of moving one kilogram one kilometre on the flat, in
// kcal, from the ACSM metabolic equations (net VO2 0.2 ml/kg per metre
// running, 0.1 walking; 5 kcal per litre of oxygen).
const (
	RunningKcalPerKgKm = 1.0
	WalkingKcalPerKgKm = 0.5
)

// ActiveEnergyFromDistance gives cumulative active energy in kcal from a
// cumulative distance source in metres: kcalPerKgKm · weightKg · metres /
// 1000 (use RunningKcalPerKgKm or WalkingKcalPerKgKm). It has dist's span
// and answers wherever dist does.
func ActiveEnergyFromDistance(dist sensors.Source, weightKg, kcalPerKgKm float64) (sensors.Source, error) {
	if !(weightKg > 0 && weightKg < 500) || !(kcalPerKgKm > 0 && kcalPerKgKm < 10) {
		return nil, fmt.Errorf("active energy: weight %v kg must be 0..500 and cost %v kcal/kg/km 0..10", weightKg, kcalPerKgKm)
	}
	k := float64(kcalPerKgKm*weightKg) / 1000
	return scaled{dist, k}, nil
}

type scaled struct {
	src sensors.Source
	k   float64
}

func (s scaled) At(d time.Duration) (float64, bool) {
	v, ok := s.src.At(d)
	return float64(v * s.k), ok
}

func (s scaled) Span() (time.Duration, time.Duration) { return s.src.Span() }

// DistanceFromSpeed integrates a speed source in metres per second with
// the trapezoid rule at step, giving cumulative distance in metres named
// "distance", sampled as ActiveEnergyFromHR samples.
func DistanceFromSpeed(speed sensors.Source, step time.Duration) (*Series, error) {
	return integrate(speed, step, "distance", func(v float64) float64 { return max(v, 0) })
}

// maxIntegrateSamples bounds an integrated series.
const maxIntegrateSamples = 1 << 20

// integrate sums rate(src) (per second) over src's span at step.
func integrate(src sensors.Source, step time.Duration, name string, rate func(float64) float64) (*Series, error) {
	if src == nil {
		return nil, fmt.Errorf("%s: no source", name)
	}
	if step <= 0 {
		return nil, fmt.Errorf("%s: step %v must be positive, such as 5s", name, step)
	}
	first, last := src.Span()
	if last < first {
		return nil, fmt.Errorf("%s: the source's span %v..%v is empty", name, first, last)
	}
	if (float64(last)-float64(first))/float64(step) >= maxIntegrateSamples {
		return nil, fmt.Errorf("%s: %v at %v is more than %d samples; use a longer step", name, last-first, step, maxIntegrateSamples)
	}
	r := func(d time.Duration) float64 {
		v, ok := src.At(d)
		if !ok || !finite(v) {
			return 0
		}
		return rate(v)
	}
	s := &Series{Name: name, Interp: Linear, Samples: []Sample{{T: first}}}
	sum, prevT, prevR := 0.0, first, r(first)
	for t := first; t < last; {
		if step >= last-t {
			t = last
		} else {
			t += step
		}
		rt := r(t)
		sum += float64(float64((prevR+rt)/2) * (t - prevT).Seconds())
		s.Samples = append(s.Samples, Sample{T: t, V: sum})
		prevT, prevR = t, rt
	}
	return s, nil
}
