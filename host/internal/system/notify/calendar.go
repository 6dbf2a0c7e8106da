package notify

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// calendar is a calendar trigger (UNCalendarNotificationTrigger): date
// components that a fire time must match, in UTC. A component is -1 when
// unspecified. As with Foundation's DateComponents, an unspecified
// component finer than the finest one given is 0 ({"hour": 8} fires at
// 08:00:00), and one coarser is any value ({"minute": 30} fires every hour
// at half past); a month alone means its first day.
type calendar struct {
	month, day, weekday, hour, minute, second int
}

type calendarUnit struct {
	name     string
	min, max int
}

// calendarUnits are the components in order, coarsest first, with their
// ranges. Weekday counts from 1 = Sunday, as Foundation's does.
var calendarUnits = []calendarUnit{
	{"month", 1, 12}, {"day", 1, 31}, {"weekday", 1, 7}, {"hour", 0, 23}, {"minute", 0, 59}, {"second", 0, 59},
}

// parseCalendar reads a calendar trigger's components: a JSON object of
// month, day, weekday, hour, minute and second, with at least one set.
func parseCalendar(b []byte) (calendar, error) {
	var m map[string]int
	if err := json.Unmarshal(b, &m); err != nil {
		return calendar{}, fmt.Errorf("calendar components must be a JSON object of whole numbers: %v", err)
	}
	if len(m) == 0 {
		return calendar{}, fmt.Errorf("calendar components are empty; give at least one of month, day, weekday, hour, minute, second")
	}
	v := [6]int{-1, -1, -1, -1, -1, -1}
	for k, n := range m {
		i := slices.IndexFunc(calendarUnits, func(u calendarUnit) bool { return u.name == k })
		if i < 0 {
			return calendar{}, fmt.Errorf("unknown calendar component %q; components are month, day, weekday, hour, minute, second", k)
		}
		if u := calendarUnits[i]; n < u.min || n > u.max {
			return calendar{}, fmt.Errorf("calendar component %s is %d; it must be from %d to %d", k, n, u.min, u.max)
		}
		v[i] = n
	}
	// Units finer than the finest given are 0 (weekday is not a unit of time
	// of day, so day and weekday never default).
	finest := 0
	for i := range v {
		if v[i] >= 0 {
			finest = i
		}
	}
	for i := max(finest+1, 3); i < len(v); i++ {
		if v[i] < 0 {
			v[i] = 0
		}
	}
	if finest == 0 { // only a month: its first day ({"month": 3} is March 1st)
		v[1] = 1
	}
	return calendar{month: v[0], day: v[1], weekday: v[2], hour: v[3], minute: v[4], second: v[5]}, nil
}

// next returns the first time after t that matches c, or the zero time if
// none does within eight years (February 30th, say).
func (c calendar) next(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for d := 0; d < 8*366; d++ {
		dd := day.AddDate(0, 0, d)
		if c.month >= 0 && int(dd.Month()) != c.month || c.day >= 0 && dd.Day() != c.day ||
			c.weekday >= 0 && int(dd.Weekday())+1 != c.weekday {
			continue
		}
		for h := 0; h < 24; h++ {
			if c.hour >= 0 && h != c.hour {
				continue
			}
			for m := 0; m < 60; m++ {
				if c.minute >= 0 && m != c.minute {
					continue
				}
				for s := 0; s < 60; s++ {
					if c.second >= 0 && s != c.second {
						continue
					}
					if at := dd.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second); at.After(t) {
						return at
					}
				}
			}
		}
	}
	return time.Time{}
}
