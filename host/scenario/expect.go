package scenario

import (
	"encoding/json"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// What is what an expectation is about.
type What string

// Expectation subjects. docs/scenario.md section 11 gives each one's meaning.
const (
	ExpectTask     What = "task"     // a background task of a kind was delivered to the app
	ExpectDecision What = "decision" // the system made a decision under a rule
	ExpectState    What = "state"    // the app was in a life-cycle state
	ExpectKill     What = "kill"     // an app was killed (crash, trap, budget, deadline)
	ExpectFile     What = "file"     // a file in the app's data container holds some data
)

// Expect is one expect line: something the run must (or, with Not, must
// not) have done. When it is checked depends on its time: From and To
// zero mean anywhere in the run (state and file: at its end); From == To
// an instant (a state) or, with Precision, the minute or second written
// ("at 09:30" is 09:30:00 to 09:30:59.999); From < To a window, both
// ends included.
type Expect struct {
	// Line and Column locate the line's first token.
	Line, Column int
	// Text is the line as written, without its comment.
	Text string
	// From and To bound when it must have happened (see Expect).
	From, To time.Time
	// Precision is the unit of an "at TIME" (time.Minute for HH:MM,
	// time.Second otherwise); 0 for a window or no time.
	Precision time.Duration
	// Not inverts the expectation: it must not have happened.
	Not bool
	// App is the alias of the app; "" for a decision or kill of any app.
	App string
	// What is what the expectation is about.
	What What
	// Task is the task kind (task).
	Task abi.TaskKind
	// Rule is the rule id (decision).
	Rule string
	// State is the life-cycle state (state).
	State abi.State
	// Path is the file's path in the app's container, slash-separated,
	// without a leading "/" (file).
	Path string
	// JSON is the file's expected content as JSON, compared structurally;
	// nil when Content is text or for "expect no APP file PATH".
	JSON json.RawMessage
	// Content is the file's expected content as text (a quoted string).
	Content *string
}

// Window returns the interval an expectation covers: [From, To] for a
// window, [From, From+Precision) for an "at" time; ok is false when the
// expectation has no time.
func (e Expect) Window() (from, to time.Time, ok bool) {
	switch {
	case e.From.IsZero():
		return time.Time{}, time.Time{}, false
	case e.Precision > 0:
		return e.From, e.From.Add(e.Precision - time.Nanosecond), true
	}
	return e.From, e.To, true
}

// expectWhats lists the subjects with their usage, in documentation order.
var expectWhats = []struct {
	what  What
	usage string
}{
	{ExpectTask, "expect [no] APP task KIND"},
	{ExpectDecision, "expect [no] [APP] decision RULE"},
	{ExpectState, "expect [no] APP state STATE"},
	{ExpectKill, "expect [no] [APP] kill"},
	{ExpectFile, "expect APP file PATH {JSON}|\"TEXT\", or expect no APP file PATH"},
}

func whatNames() []string {
	var names []string
	for _, w := range expectWhats {
		names = append(names, string(w.what))
	}
	return names
}

func whatUsage(w string) string {
	for _, x := range expectWhats {
		if string(x.what) == w {
			return x.usage
		}
	}
	return "expect [no] [APP] task|decision|state|kill|file ..."
}

// stateNames are the life-cycle states an expect line may name.
var stateNames = []string{"not-running", "inactive", "active", "background", "suspended"}

func parseState(s string) (abi.State, bool) {
	for i, n := range stateNames {
		if s == n || s == strings.ReplaceAll(n, "-", "_") {
			return abi.State(i), true
		}
	}
	return 0, false
}

// RuleIDs returns every rule id a decision can carry, sorted: the ids an
// "expect ... decision RULE" line may name.
func RuleIDs() []string {
	ids := []string{
		policy.RuleBluetoothBudget, policy.RuleBluetoothReset, policy.RuleBluetoothRun,
		policy.RuleBluetoothNotRunning, policy.RuleBluetoothTaskTime, policy.RuleBluetoothScanService, policy.RuleBluetoothScanForeground,
		policy.RuleBluetoothUnknown, policy.RuleBluetoothNotConnected, policy.RuleBluetoothConnectionLimit, policy.RuleBluetoothSubscriptionLimit,
		policy.RuleBluetoothConnect, policy.RuleBluetoothDiscover, policy.RuleBluetoothRead, policy.RuleBluetoothSubscribe,
		policy.RuleBluetoothDisconnect, policy.RuleBluetoothClosed, policy.RuleBluetoothNotified,
		policy.RuleComplicationUpdated, policy.RuleComplicationBudget, policy.RuleComplicationFace, policy.RuleComplicationRun,
		policy.RuleTransferBudget, policy.RuleTransferFace, policy.RuleTransferRun,
		policy.RulePushCoalesced, policy.RulePushThrottle, policy.RulePushRun, policy.RulePushNoMode,
		policy.RuleDataDeliveryDelay, policy.RuleDataDeliveryAtOnce,
		policy.RuleNotificationPresented, policy.RuleNotificationScheduled,
		policy.RulePhoneReceived, policy.RulePhoneUnreachable, policy.RulePhoneContextReplaced, policy.RuleProfileSet,
		policy.RuleRefreshFrontmost, policy.RuleRefreshBudget, policy.RuleRefreshOnePending, policy.RuleRefreshRun, policy.RuleRefreshScheduled,
		policy.RuleSnapshotAutomaticOff, policy.RuleSnapshotAutomaticOn, policy.RuleSnapshotCoalesced, policy.RuleSnapshotDefaultRestored,
		policy.RuleSnapshotFrontmost, policy.RuleSnapshotBudget, policy.RuleSnapshotOnePending, policy.RuleSnapshotDefault,
		policy.RuleSnapshotRun, policy.RuleSnapshotSystem, policy.RuleSnapshotCompletion, policy.RuleSnapshotCompletionReplaces,
		policy.RuleTaskCompleted, policy.RuleTaskDeadline, policy.RuleTaskExpireForced, policy.RuleTaskUnhandled,
		policy.RuleTrigger,
		policy.RuleURLSessionFinished, policy.RuleURLSessionHostNotAllowed, policy.RuleURLSessionStarted,
	}
	ids = append(ids, policy.SessionRuleIDs()...)
	ids = append(ids, policy.ExtendedRuleIDs()...)
	sort.Strings(ids)
	return ids
}

// expectLine reads an expect line: toks starts at the "expect" word; from,
// to and prec are its time, as read by the caller ("at" or "between").
func (p *parser) expectLine(line int, first token, toks []token, from, to time.Time, prec time.Duration, text string) *Expect {
	head, args := toks[0], toks[1:]
	last := head // the last token read, for what is missing after it
	e := &Expect{Line: line, Column: first.col, Text: text, From: from, To: to, Precision: prec}
	if len(args) > 0 && args[0].text == "no" {
		e.Not = true
		last, args = args[0], args[1:]
	}
	if len(args) == 0 {
		p.errs.after(line, last, "expect needs what to expect: %s", strings.Join(whatNames(), ", "))
		return nil
	}
	// An app, unless the first word is what is expected.
	switch w := args[0]; {
	case p.apps[w.text]:
		e.App, args = w.text, args[1:]
	case contains(whatNames(), w.text):
	case suggest(w.text, whatNames()) != "" && suggest(w.text, p.aliases()) == "":
		p.errs.at(line, w, "unknown expectation %q%s; expect one of: %s", w.text, suggest(w.text, whatNames()), strings.Join(whatNames(), ", "))
		return nil
	default:
		p.appRef(line, w) // reports the unknown app
		return nil
	}
	if len(args) == 0 {
		p.errs.after(line, toks[len(toks)-1], "expect %s needs what to expect: %s", e.App, strings.Join(whatNames(), ", "))
		return nil
	}
	wt, args := args[0], args[1:]
	e.What = What(wt.text)
	use := whatUsage(wt.text)
	needApp := func() bool {
		if e.App == "" {
			p.errs.at(line, wt, "expect %s needs an app before %q; usage: %s", wt.text, wt.text, use)
			return false
		}
		return true
	}
	switch e.What {
	case ExpectTask:
		if !p.count(line, wt, args, 1, 1, use) || !needApp() {
			return nil
		}
		kind, ok := p.taskKind(line, args[0])
		if !ok {
			return nil
		}
		e.Task = kind
	case ExpectDecision:
		if !p.count(line, wt, args, 1, 1, use) {
			return nil
		}
		rules := RuleIDs()
		if !contains(rules, args[0].text) {
			hint := ""
			if strings.Contains(args[0].text, "kill") {
				hint = " (a kill at a task's deadline is task.deadline; for any kill write \"expect [no] [APP] kill\")"
			}
			p.errs.at(line, args[0], "unknown rule id %q%s%s; rules are: %s", args[0].text, suggest(args[0].text, rules), hint, strings.Join(rules, ", "))
			return nil
		}
		e.Rule = args[0].text
	case ExpectState:
		if !p.count(line, wt, args, 1, 1, use) || !needApp() {
			return nil
		}
		st, ok := parseState(args[0].text)
		if !ok {
			p.errs.at(line, args[0], "unknown state %q%s; states are: %s", args[0].text, suggest(args[0].text, stateNames), strings.Join(stateNames, ", "))
			return nil
		}
		e.State = st
	case ExpectKill:
		if !p.count(line, wt, args, 0, 0, use) {
			return nil
		}
	case ExpectFile:
		lo := 2
		if e.Not {
			lo = 1
		}
		if !p.count(line, wt, args, lo, lo, use) || !needApp() {
			return nil
		}
		if !from.IsZero() {
			p.errs.at(line, first, "file expectations are checked when the run ends: write \"expect %s file ...\" without a time", e.App)
			return nil
		}
		fp := strings.TrimPrefix(args[0].text, "/")
		if args[0].kind != word || fp == "" || path.Clean(fp) != fp || fp == ".." || strings.HasPrefix(fp, "../") {
			p.errs.at(line, args[0], "bad container path %q: give a clean path inside the app's data container, as in Documents/last.json", args[0].text)
			return nil
		}
		e.Path = fp
		if e.Not {
			break
		}
		switch c := args[1]; c.kind {
		case jsonv:
			e.JSON = compactJSON([]byte(c.text))
		case quoted:
			s := c.text
			e.Content = &s
		default:
			p.errs.at(line, c, "the expected content must be JSON ({...} or [...], compared structurally) or a quoted string (compared exactly), got %q", c.text)
			return nil
		}
	default:
		p.errs.at(line, wt, "unknown expectation %q%s; expect one of: %s", wt.text, suggest(wt.text, whatNames()), strings.Join(whatNames(), ", "))
		return nil
	}
	return e
}

// aliases returns the declared app aliases.
func (p *parser) aliases() []string {
	var names []string
	for _, a := range p.s.Apps {
		names = append(names, a.Alias)
	}
	return names
}

// between reads "between TIME and TIME expect ...". The first time counts
// from base, as an at line's does; the second from the first. It does not
// move base.
func (p *parser) between(a stmt, base time.Time) *Expect {
	line, toks := a.line, a.toks
	if len(toks) < 5 || toks[2].text != "and" || toks[4].text != "expect" {
		var at token
		switch {
		case len(toks) < 2:
			p.errs.after(line, toks[len(toks)-1], "between needs a window: between TIME and TIME expect ...")
			return nil
		case len(toks) < 3 || toks[2].text != "and":
			at = toks[min(2, len(toks)-1)]
			if len(toks) < 3 {
				p.errs.after(line, at, "between needs \"and\" and a second time: between TIME and TIME expect ...")
				return nil
			}
		case len(toks) < 5:
			p.errs.after(line, toks[len(toks)-1], "between TIME and TIME needs an expectation after it: ... expect [no] [APP] WHAT ...")
			return nil
		default:
			at = toks[4]
		}
		p.errs.at(line, at, "unexpected %q: write between TIME and TIME expect ...", at.text)
		return nil
	}
	from, ok1 := p.bound(line, toks[1], base)
	to, ok2 := p.bound(line, toks[3], from)
	if ok1 && ok2 && !to.After(from) {
		p.errs.at(line, toks[3], "the window ends (%s) before it starts (%s); write the earlier time first", toks[3].text, toks[1].text)
		ok2 = false
	}
	e := p.expectLine(line, toks[0], toks[4:], from, to, 0, joinText(toks))
	if !ok1 || !ok2 {
		return nil
	}
	return e
}

// bound reads a time of an expectation and checks that it lies in the
// scenario.
func (p *parser) bound(line int, t token, base time.Time) (time.Time, bool) {
	when, ok := p.when(line, t, base)
	if !ok {
		return when, false
	}
	if when.Before(p.s.Start) || when.After(p.s.End()) {
		p.errs.at(line, t, "%s (%s) is outside the scenario (%s to %s); expectations cover start to start+duration",
			t.text, when.Format(time.RFC3339), p.s.Start.Format(time.RFC3339), p.s.End().Format(time.RFC3339))
		return when, false
	}
	return when, true
}

// precision returns the unit of an at time as written: a minute for
// HH:MM, a second for everything else.
func precision(t token) time.Duration {
	if m := clockRE.FindStringSubmatch(t.text); m != nil && m[3] == "" {
		return time.Minute
	}
	return time.Second
}

// joinText rebuilds a line from its tokens, for messages.
func joinText(toks []token) string {
	var words []string
	for _, t := range toks {
		switch t.kind {
		case quoted:
			words = append(words, strconv.Quote(t.text))
		default:
			words = append(words, t.text)
		}
	}
	return strings.Join(words, " ")
}
