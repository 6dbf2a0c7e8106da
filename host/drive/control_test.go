package drive

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestControlHandler drives apps through the control API in process.
func TestControlHandler(t *testing.T) {
	d, hello, _ := twoApps(t)
	d.SetCurrent(hello)
	h := ControlHandler(context.Background(), d, ControlOptions{})
	do := func(method, target, body string) (int, string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, target, strings.NewReader(body)))
		return w.Code, strings.TrimSpace(w.Body.String())
	}
	for _, c := range []struct {
		method, target, body string
		code                 int
		want                 string
	}{
		{"POST", "/step?step=launch+refresh", "", 200, `{"app":"dev.watchbox.refresh","ok":true,"state":"active"}`},
		{"POST", "/step?step=wrist-down&bundle=hello", "", 200, `{"app":"dev.watchbox.hello","ok":true,"state":"not_running"}`},
		{"POST", "/step?step=quit", "", 400, `quit is not a control step`},
		{"POST", "/step?step=launch+hello&bundle=refresh", "", 400, `step \"launch hello\" names dev.watchbox.hello, but the request is for dev.watchbox.refresh`},
		{"POST", "/phone?kind=letter", "{}", 400, `unknown phone data kind \"letter\"`},
		{"POST", "/phone?kind=context&bundle=refresh", "[]", 400, `must be a JSON object`},
		{"POST", "/complication?on=on&bundle=hello", "", 200, `{"app":"dev.watchbox.hello","ok":true,"state":"not_running"}`},
		{"POST", "/bluetooth-alert", "", 400, `no peripheral given`},
		{"POST", "/push?bundle=nope", `{"aps": {"alert": "hi"}}`, 400, `no app \"nope\" in this run`},
	} {
		code, got := do(c.method, c.target, c.body)
		if code != c.code || !strings.Contains(got, c.want) {
			t.Errorf("%s %s = %d %s, want %d with %s", c.method, c.target, code, got, c.code, c.want)
		}
	}
	_, got := do("GET", "/status", "")
	var st StatusAnswer
	if err := json.Unmarshal([]byte(got), &st); err != nil || len(st.Apps) != 2 || st.ControlStatus != nil || !st.Apps[1].Current {
		t.Errorf("status = %s (%v)", got, err)
	}
	_, got = do("GET", "/status?bundle=refresh", "")
	if err := json.Unmarshal([]byte(got), &st); err != nil || st.ControlStatus == nil || st.App != "dev.watchbox.refresh" {
		t.Errorf("status of refresh = %s (%v)", got, err)
	}
}
