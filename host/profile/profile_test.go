package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultIsValidAndDocumented(t *testing.T) {
	p := Default()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	for k := range Sources {
		found := false
		for _, key := range Keys() {
			found = found || key == k
		}
		if !found {
			t.Errorf("Sources names unknown key %q", k)
		}
	}
	if got := p.Fuel(2 * time.Second); got != 500_000_000 {
		t.Errorf("Fuel(2s) = %d", got)
	}
	if got := p.CPUTime(250_000_000); got != time.Second {
		t.Errorf("CPUTime = %v", got)
	}
}

func TestLoadAndSet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(path, []byte(`{"name":"slow","task_time":"5s","refreshes_per_hour":2}`), 0o644)
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "slow" || p.TaskTime.D() != 5*time.Second || p.RefreshesPerHour != 2 || p.SnapshotsPerHour != 1 {
		t.Errorf("loaded %+v", p)
	}
	if err := p.ParseSet([]string{"task_time=20s", "instruction_rate=1000"}); err != nil {
		t.Fatal(err)
	}
	if p.TaskTime.D() != 20*time.Second || p.InstructionRate != 1000 {
		t.Errorf("after set: %v %d", p.TaskTime.D(), p.InstructionRate)
	}
	for _, bad := range []struct{ set, want string }{
		{"task_tiem=1s", "unknown profile key \"task_tiem\" (did you mean \"task_time\"?)"},
		{"task_time=soon", "not a duration"},
		{"refreshes_per_hour=x", "not a whole number"},
		{"task_warning=1m", "must be shorter than task_time"},
		{"refreshes_per_hour=-1", "must not be negative"},
		{"nonsense", "is not key=value"},
	} {
		q := Default()
		err := q.ParseSet([]string{bad.set})
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("set %q: error %v, want %q", bad.set, err, bad.want)
		}
	}
	os.WriteFile(path, []byte(`{"task_tim":"5s"}`), 0o644)
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "task_tim") {
		t.Errorf("unknown key in file: %v", err)
	}
}
