package host

import "github.com/watchbox/watchbox/host/internal/system"

// Span is the start or the end of something of an app's that lasts, as
// passed to Config.OnSpan: a pending local notification (category
// "notification") or a background session ("session").
type Span = system.Span
