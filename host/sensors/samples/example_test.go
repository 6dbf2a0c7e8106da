package samples_test

import (
	"fmt"
	"time"

	"github.com/watchbox/watchbox/host/sensors/samples"
)

func ExampleParseCSV() {
	data := []byte("# warm-up\nt,bpm\n0,72\n10,92\n20,110\n")
	hr, err := samples.ParseCSV("hr.csv", data, samples.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range []time.Duration{5 * time.Second, 15 * time.Second, 25 * time.Second} {
		v, ok := hr.At(d)
		fmt.Println(d, v, ok)
	}
	// Output:
	// 5s 82 true
	// 15s 101 true
	// 25s 0 false
}

func ExampleParseCSV_error() {
	_, err := samples.ParseCSV("hr.csv", []byte("t,bpm\n0,72\n10,9o\n0,80\n"), samples.Options{})
	fmt.Println(err)
	// Output:
	// hr.csv:3: value "9o" is not a number such as 142 or 142.5
	// hr.csv:4: time 0 is not after the previous sample's (line 2); samples must be in strictly increasing time order
}

func ExampleSyntheticHR() {
	h := samples.DefaultHR(1) // 5 s cadence, resting 72 bpm
	h.Duration = 30 * time.Second
	hr, err := samples.SyntheticHR(h)
	if err != nil {
		fmt.Println(err)
		return
	}
	var bpm []float64
	for _, s := range hr.Samples {
		bpm = append(bpm, s.V)
	}
	fmt.Println(bpm)
	energy, _ := samples.ActiveEnergyFromHR(hr, samples.Body{WeightKg: 70, AgeYears: 35, RestingHR: 60}, 5*time.Second)
	kcal, _ := energy.At(30 * time.Second)
	fmt.Printf("%.2f kcal\n", kcal)
	// Output:
	// [71 70 69 70 69 71 71]
	// 0.75 kcal
}
