package msg

import "github.com/watchbox/watchbox/abi"

// The messages of the background sessions added with them: workout
// events and live data, the audio route, location updates' arguments.

// WorkoutEvent is the payload of workout_event (HKWorkoutSessionDelegate
// didGenerate).
type WorkoutEvent struct {
	Type int64 // an abi.WorkoutEventType
	Date int64 // Unix ns
}

var workoutEventSpec = &Spec{Name: "workout_event", Doc: "HKWorkoutSessionDelegate didGenerate", Fields: []FieldSpec{
	{Key: abi.FieldWorkoutEvent, Type: abi.TypeInt, Presence: Always, Doc: "an HKWorkoutEventType"}, {Key: abi.FieldDate, Type: abi.TypeInt, Presence: Always},
}}

// WorkoutData is the payload of workout_data (HKLiveWorkoutBuilderDelegate
// didCollectDataOf, with the builder's statistics) and the result of
// workout_statistics.
type WorkoutData struct {
	Date         int64   // the sample's time, Unix ns
	HeartRate    float64 // beats per minute, the most recent sample
	ActiveEnergy float64 // kilocalories since the workout started, pauses left out
	Distance     float64 // metres since the workout started, pauses left out
	Elapsed      int64   // nanoseconds the workout ran, pauses left out (elapsedTime)
	State        int64   // the workout's abi.WorkoutState
}

var workoutDataSpec = &Spec{Name: "workout_data", Doc: "HKLiveWorkoutBuilder statistics", Fields: []FieldSpec{
	{Key: abi.FieldDate, Type: abi.TypeInt, Presence: Always}, {Key: abi.FieldHeartRate, Type: abi.TypeFloat, Presence: Always},
	{Key: abi.FieldActiveEnergy, Type: abi.TypeFloat, Presence: Always}, {Key: abi.FieldDistance, Type: abi.TypeFloat, Presence: Always},
	{Key: abi.FieldElapsed, Type: abi.TypeInt, Presence: Always, Doc: "ns, pauses left out"}, {Key: abi.FieldWorkoutState, Type: abi.TypeInt, Presence: Always},
}}

// AudioRoute is the payload of audio_route_changed.
type AudioRoute struct {
	Route int64 // abi.AudioRouteNone or abi.AudioRouteBluetooth
	Date  int64 // Unix ns
}

var audioRouteSpec = &Spec{Name: "audio_route_changed", Doc: "AVAudioSession.routeChangeNotification", Fields: []FieldSpec{
	{Key: abi.FieldRoute, Type: abi.TypeInt, Presence: Always, Doc: "0 none, 1 Bluetooth headphones"}, {Key: abi.FieldDate, Type: abi.TypeInt, Presence: Always},
}}

// StartLocationUpdates is the arguments of start_location_updates.
type StartLocationUpdates struct {
	Background bool // allowsBackgroundLocationUpdates: keep running in the background
}

var startLocationUpdatesSpec = &Spec{Name: "start_location_updates", Doc: "CLLocationManager startUpdatingLocation", Fields: []FieldSpec{
	{Key: abi.FieldBackground, Type: abi.TypeBool, Presence: Optional, Doc: "allowsBackgroundLocationUpdates"},
}}

// Spec describes WorkoutEvent's fields.
func (*WorkoutEvent) Spec() *Spec { return workoutEventSpec }

// Encode appends the encoded fields of m to dst.
func (m WorkoutEvent) Encode(dst []byte) []byte { return encodeTo(dst, workoutEventSpec, m.bind()) }

// Decode replaces m with the WorkoutEvent encoded in b.
func (m *WorkoutEvent) Decode(b []byte) error {
	*m = WorkoutEvent{}
	return decodeFlat(b, workoutEventSpec, m.bind())
}

func (m *WorkoutEvent) bind() []any { return []any{&m.Type, &m.Date} }

// Spec describes WorkoutData's fields.
func (*WorkoutData) Spec() *Spec { return workoutDataSpec }

// Encode appends the encoded fields of m to dst.
func (m WorkoutData) Encode(dst []byte) []byte { return encodeTo(dst, workoutDataSpec, m.bind()) }

// Decode replaces m with the WorkoutData encoded in b.
func (m *WorkoutData) Decode(b []byte) error {
	*m = WorkoutData{}
	return decodeFlat(b, workoutDataSpec, m.bind())
}

func (m *WorkoutData) bind() []any {
	return []any{&m.Date, &m.HeartRate, &m.ActiveEnergy, &m.Distance, &m.Elapsed, &m.State}
}

// Spec describes AudioRoute's fields.
func (*AudioRoute) Spec() *Spec { return audioRouteSpec }

// Encode appends the encoded fields of m to dst.
func (m AudioRoute) Encode(dst []byte) []byte { return encodeTo(dst, audioRouteSpec, m.bind()) }

// Decode replaces m with the AudioRoute encoded in b.
func (m *AudioRoute) Decode(b []byte) error {
	*m = AudioRoute{}
	return decodeFlat(b, audioRouteSpec, m.bind())
}

func (m *AudioRoute) bind() []any { return []any{&m.Route, &m.Date} }

// Spec describes StartLocationUpdates's fields.
func (*StartLocationUpdates) Spec() *Spec { return startLocationUpdatesSpec }

// Encode appends the encoded fields of m to dst.
func (m StartLocationUpdates) Encode(dst []byte) []byte {
	return encodeTo(dst, startLocationUpdatesSpec, m.bind())
}

// Decode replaces m with the StartLocationUpdates encoded in b.
func (m *StartLocationUpdates) Decode(b []byte) error {
	*m = StartLocationUpdates{}
	return decodeFlat(b, startLocationUpdatesSpec, m.bind())
}

func (m *StartLocationUpdates) bind() []any { return []any{&m.Background} }
