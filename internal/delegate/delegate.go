// Package delegate lists the Go SDK's delegate methods (the methods of
// guest-sdk/go/watch's delegate interfaces) by name and signature, for the
// checks that tell an app author about a method that looks like a delegate
// method but is not one: the SDK's own at registration (exact names), and
// the host's at build time (misspelled names). Both sides read this one
// list; the SDK's tests check it against the SDK's interfaces.
package delegate

// Method is one delegate method.
type Method struct {
	// Name is the method's name, such as "DidFinishLaunching".
	Name string
	// Sig is the method as an app writes it, with the SDK's package
	// name "watch": "HandleBackgroundTasks(tasks []*watch.Task)".
	Sig string
}

// Methods are the delegate methods, in the order of the SDK's table.
var Methods = []Method{
	{"DidFinishLaunching", "DidFinishLaunching()"},
	{"WillEnterForeground", "WillEnterForeground()"},
	{"DidBecomeActive", "DidBecomeActive()"},
	{"WillResignActive", "WillResignActive()"},
	{"DidEnterBackground", "DidEnterBackground()"},
	{"HandleBackgroundTasks", "HandleBackgroundTasks(tasks []*watch.Task)"},
	{"TaskWillExpire", "TaskWillExpire(taskID int64)"},
	{"WillPresentNotification", "WillPresentNotification(n *watch.Notification)"},
	{"DidReceiveNotification", "DidReceiveNotification(n *watch.Notification)"},
	{"DidReceiveRemoteNotification", "DidReceiveRemoteNotification(n *watch.Notification)"},
	{"DidReceiveComplicationPush", "DidReceiveComplicationPush(n *watch.Notification)"},
	{"DidReceiveUserInfo", "DidReceiveUserInfo(payload []byte)"},
	{"DidReceiveApplicationContext", "DidReceiveApplicationContext(payload []byte)"},
	{"DidReceiveMessage", "DidReceiveMessage(payload []byte)"},
	{"SaveState", "SaveState() ([]byte, error)"},
	{"RestoreState", "RestoreState(state []byte) error"},
	{"HandleExtendedRuntimeSession", "HandleExtendedRuntimeSession(s *watch.ExtendedRuntimeSession)"},
	{"HandleEvent", "HandleEvent(e *watch.Event) bool"},
}
