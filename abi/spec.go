package abi

// ValueType is a Wasm value type in a function signature.
type ValueType byte

// Wasm value types used by the ABI (their binary encodings).
const (
	I32 ValueType = 0x7f
	I64 ValueType = 0x7e
)

// String returns the type's Wasm text name.
func (t ValueType) String() string {
	switch t {
	case I32:
		return "i32"
	case I64:
		return "i64"
	}
	return "type(0x" + string("0123456789abcdef"[t>>4]) + string("0123456789abcdef"[t&15]) + ")"
}

// Func describes one function of the ABI: a host import or a guest export.
type Func struct {
	Name     string
	Params   []ValueType
	Results  []ValueType
	Since    int  // the ABI version that added it
	Required bool // exports only: the host refuses a module without it
	Doc      string
}

// Signature returns the function's type in Wasm text form, for example
// "(i32, i32) -> i32".
func (f Func) Signature() string {
	return signature(f.Params, f.Results)
}

func signature(params, results []ValueType) string {
	s := "("
	for i, p := range params {
		if i > 0 {
			s += ", "
		}
		s += p.String()
	}
	s += ") -> "
	switch len(results) {
	case 0:
		s += "()"
	case 1:
		s += results[0].String()
	default:
		s += "("
		for i, r := range results {
			if i > 0 {
				s += ", "
			}
			s += r.String()
		}
		s += ")"
	}
	return s
}

// Imports lists every host function of module ImportModule, in every ABI
// version up to Version.
var Imports = []Func{
	{Name: FuncEventRead, Params: []ValueType{I32, I32}, Results: []ValueType{I32}, Since: 1,
		Doc: "copy the current event's envelope to (ptr, limit); returns its size"},
	{Name: FuncEventReply, Params: []ValueType{I32, I32}, Results: []ValueType{I32}, Since: 1,
		Doc: "attach encoded fields (ptr, len) to the current event's result"},
	{Name: FuncLog, Params: []ValueType{I32, I32, I32}, Results: []ValueType{I32}, Since: 1,
		Doc: "write a UTF-8 message (ptr, len) at a level to the host's log"},
	{Name: FuncRequest, Params: []ValueType{I32, I32, I32}, Results: []ValueType{I32}, Since: 1,
		Doc: "ask the system to do operation op with encoded fields (ptr, len); returns the result's size"},
	{Name: FuncResultRead, Params: []ValueType{I32, I32}, Results: []ValueType{I32}, Since: 1,
		Doc: "copy the last request's result fields to (ptr, limit); returns its size"},
}

// Exports lists every function a guest exports for the host, in every ABI
// version up to Version. The marker export and the memory are described
// separately (see Marker and ExportMemory).
var Exports = []Func{
	{Name: ExportEvent, Params: []ValueType{I32, I32}, Results: []ValueType{I32}, Since: 1, Required: true,
		Doc: "handle one event of a kind whose envelope is size bytes long; returns a Status"},
	{Name: ExportInitialize, Since: 1,
		Doc: "reactor initialisation (Go c-shared, WASI reactors); called once after instantiation"},
}

// LookupImport returns the host function called name, if any ABI version
// has one.
func LookupImport(name string) (Func, bool) {
	for _, f := range Imports {
		if f.Name == name {
			return f, true
		}
	}
	return Func{}, false
}

// LookupExport returns the guest export called name, if any ABI version
// has one.
func LookupExport(name string) (Func, bool) {
	for _, f := range Exports {
		if f.Name == name {
			return f, true
		}
	}
	return Func{}, false
}

// SignatureOf formats params and results like Func.Signature, so callers
// can show a module's actual signature beside the expected one.
func SignatureOf(params, results []ValueType) string {
	return signature(params, results)
}
