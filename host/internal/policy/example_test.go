package policy_test

import (
	"fmt"
	"time"

	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/profile"
)

// Four refreshes in one hour spend the budget of an app with a complication
// on the active face; the fifth is delayed, and the log says why.
func ExampleLog_Why() {
	p := policy.New(profile.Default())
	log := policy.NewLog(0)
	p.Report = log.Append
	f := policy.Facts{App: "com.example.weather", ComplicationActive: true}
	t0 := time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 4; i++ {
		now := t0.Add(time.Duration(i) * 10 * time.Minute)
		p.Schedules().Refresh(f, now, nil, now)
		p.Schedules().RefreshDue(f, now)
	}
	p.Schedules().Refresh(f, t0.Add(40*time.Minute), nil, t0.Add(40*time.Minute))
	p.Schedules().Refresh(f, t0.Add(90*time.Minute), nil, t0.Add(45*time.Minute))
	f.Frontmost = true
	p.Schedules().RefreshDue(f, t0.Add(90*time.Minute))

	for _, d := range log.Why("com.example.weather", policy.KindRefresh) {
		if d.Verdict != policy.Run && d.Verdict != policy.Scheduled {
			fmt.Println(policy.Line(d))
		}
	}
	// Output:
	// 2024-06-01 09:40:00 com.example.weather: refresh delayed to 10:00: 4 of 4 this hour used [refresh.hourly_budget]
	// 2024-06-01 09:45:00 com.example.weather: refresh for 10:00 (requested 09:40) replaced by a new request for 10:30: one pending refresh per app [refresh.one_pending]
	// 2024-06-01 10:30:00 com.example.weather: refresh dropped at 10:30: due while the app is frontmost [refresh.frontmost]
}
