package watch

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestAppendCalendar: the calendar trigger's JSON is byte for byte what
// json.Marshal wrote before, for the components and for keys that need
// escaping (which the host refuses, naming them as they were sent).
func TestAppendCalendar(t *testing.T) {
	t.Parallel()
	for _, c := range []map[string]int{
		{},
		{"hour": 8},
		{"weekday": 2, "hour": 9, "minute": 30, "second": -1, "month": 12, "day": 1 << 40},
		{"a\"b\\c": 1, "\b\f\n\r\t\x00\x1f\x7f": 2, "<&>": 3, "\u2028\u2029": 4, "bad\xff\xfeutf8": 5, "é漢🙂": 6, "": 7},
	} {
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendCalendar(nil, c); !bytes.Equal(got, want) {
			t.Errorf("appendCalendar(%v) = %s, json.Marshal = %s", c, got, want)
		}
	}
}

func FuzzAppendCalendar(f *testing.F) {
	f.Add("hour", 8, "minute", 30)
	f.Fuzz(func(t *testing.T, k1 string, v1 int, k2 string, v2 int) {
		c := map[string]int{k1: v1, k2: v2}
		want, _ := json.Marshal(c)
		if got := appendCalendar(nil, c); !bytes.Equal(got, want) {
			t.Errorf("appendCalendar(%v) = %s, json.Marshal = %s", c, got, want)
		}
	})
}
