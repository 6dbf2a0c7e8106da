package notify

import (
	"strings"
	"testing"
	"time"
)

func TestCalendarNext(t *testing.T) {
	from := time.Date(2026, 6, 1, 9, 40, 0, 0, time.UTC) // a Monday
	tests := []struct {
		components string
		want       string // "" for never
	}{
		{`{"hour":8}`, "2026-06-02 08:00:00"},                         // finer units are 0: tomorrow at 8
		{`{"hour":9,"minute":40}`, "2026-06-02 09:40:00"},             // strictly after from
		{`{"hour":9,"minute":40,"second":1}`, "2026-06-01 09:40:01"},  // later today
		{`{"minute":30}`, "2026-06-01 10:30:00"},                      // coarser units match anything: every hour
		{`{"second":15}`, "2026-06-01 09:40:15"},                      // every minute
		{`{"weekday":2,"hour":9,"minute":30}`, "2026-06-08 09:30:00"}, // Mondays (1 is Sunday)
		{`{"weekday":1}`, "2026-06-07 00:00:00"},                      // Sundays at midnight
		{`{"day":1,"hour":12}`, "2026-06-01 12:00:00"},                // the 1st of every month
		{`{"month":1,"day":1}`, "2027-01-01 00:00:00"},                // New Year
		{`{"month":2,"day":29}`, "2028-02-29 00:00:00"},               // the next leap day
		{`{"month":2,"day":30}`, ""},                                  // never
	}
	for _, tt := range tests {
		c, err := parseCalendar([]byte(tt.components))
		if err != nil {
			t.Fatalf("%s: %v", tt.components, err)
		}
		got := ""
		if at := c.next(from); !at.IsZero() {
			got = at.Format("2006-01-02 15:04:05")
		}
		if got != tt.want {
			t.Errorf("%s after %s: got %q, want %q", tt.components, from.Format(time.DateTime), got, tt.want)
		}
	}
}

func TestCalendarBadComponents(t *testing.T) {
	for in, want := range map[string]string{
		`{}`:              "give at least one of month, day, weekday",
		`{"hours":8}`:     `unknown calendar component "hours"`,
		`{"hour":24}`:     "hour is 24; it must be from 0 to 23",
		`{"weekday":0}`:   "weekday is 0; it must be from 1 to 7",
		`{"hour":"8"}`:    "must be a JSON object of whole numbers",
		`[8]`:             "must be a JSON object of whole numbers",
		`{"minute":-1}`:   "minute is -1",
		`{"month":13}`:    "month is 13; it must be from 1 to 12",
		`{"second":8.5}`:  "must be a JSON object of whole numbers",
		`{"day":0,"x":1}`: "", // either problem may be reported first
	} {
		_, err := parseCalendar([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseCalendar(%s) = %v, want an error with %q", in, err, want)
		}
	}
}
