package tests

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
)

// TestWeatherDownloadsFromALocalServer runs the weather sample live, on the
// real clock, against a local HTTP server: a prebuilt copy of the app in a
// bundle whose manifest allows the server's host and configures its
// forecast URL (settings). A refresh starts a background download; the
// host fetches it with net/http; the app publishes the forecast to its
// complication. A host the manifest does not allow is refused.
func TestWeatherDownloadsFromALocalServer(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/forecast" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"city":"Porto","temp":21,"sky":"sunny"}`))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)

	b := watchbox(t, nil, "build", "--json", "apps/weather")
	expect(t, b, exitOK)
	var built struct{ Build struct{ Path string } }
	if err := json.Unmarshal([]byte(b.stdout), &built); err != nil {
		t.Fatal(err)
	}
	wasm, err := os.ReadFile(built.Build.Path)
	if err != nil {
		t.Fatal(err)
	}
	bundle := func(allowed string) string {
		dir := t.TempDir()
		writeFile(t, dir, "weather.wasm", wasm)
		m, _ := json.Marshal(map[string]any{
			"CFBundleIdentifier": "dev.watchbox.weather", "CFBundleDisplayName": "Weather", "abiVersion": 1,
			"complication": true, "module": "weather.wasm", "allowedHosts": []string{allowed},
			"settings": map[string]string{"forecastURL": srv.URL + "/forecast"},
		})
		writeFile(t, dir, "watchapp.json", m)
		return dir
	}

	r := watchbox(t, nil, "run", "--control", "off", "--data", t.TempDir(),
		"--steps", "trigger application-refresh, sleep 2s, status", bundle(u.Host))
	expect(t, r, exitOK,
		"download forecast-1 of "+srv.URL+"/forecast started",
		"download forecast-1 finished: HTTP 200, 40 bytes in /Downloads/forecast-1",
		`dev.watchbox.weather  state active, 1 launch(es), complication "Porto 21°C sunny"`)
	if n := hits.Load(); n != 1 {
		t.Errorf("the server got %d requests, want 1", n)
	}

	r = watchbox(t, nil, "run", "--control", "off", "--data", t.TempDir(),
		"--steps", "trigger application-refresh, sleep 1500ms, status", bundle("weather.example"))
	expect(t, r, exitOK, "download forecast-1 refused: "+u.Host+" is not in the manifest's allowedHosts [weather.example]",
		"cannot start the download: watch: start_download: host "+u.Host+" is not in the manifest's allowedHosts [weather.example]; add it there (not_allowed)")
	if n := hits.Load(); n != 1 {
		t.Errorf("the server got %d requests after the refused download, want still 1", n)
	}
}
