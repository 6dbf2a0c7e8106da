package bundle

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/watchbox/watchbox/internal/delegate"
	names "github.com/watchbox/watchbox/internal/suggest"
)

// sdkPath is the Go SDK's import path.
const sdkPath = "github.com/watchbox/watchbox/guest-sdk/go/watch"

// delegateWarnings looks, in the Go files of an app's main package (in
// dir), for the delegate the app registers (watch.Register(app{}),
// watch.Register(&app{}), watch.Register(new(app)), or a package-level or
// local variable holding one of those) and returns a warning for each of
// its methods whose name is close to a delegate method's that the type
// does not have, such as DidBecomeActiv or DidReceiveUserinfo: such a
// method is never called.
//
// It runs here, on the sources, and not in the SDK at registration (where
// a method named as a delegate method but with another signature, and a
// delegate method declared on the pointer type, are reported), because
// finding a misspelled method in the guest means listing its methods with
// reflection, which makes every Go app about a third larger (see
// guest-sdk/go/watch/register.go). The check is syntactic: types are
// compared as written (with byte and uint8 the same), methods promoted
// from embedded fields are not seen, and a delegate registered from
// another package is not checked. Files that do not parse are left to
// the compiler.
func delegateWarnings(dir string, files []string) []string {
	fset := token.NewFileSet()
	var parsed []*ast.File
	pkgName := ""
	for _, name := range files {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil
		}
		parsed = append(parsed, f)
		pkgName = f.Name.Name
	}
	// The registered delegate's type: its name, and whether a pointer was
	// registered.
	typeName, pointer := "", false
	for _, f := range parsed {
		sdk := sdkName(f)
		if sdk == "" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			fn, ok := n.(*ast.FuncDecl)
			if !ok || fn.Body == nil || typeName != "" {
				return typeName == ""
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 1 || typeName != "" {
					return typeName == ""
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Register" && isIdent(sel.X, sdk) {
					typeName, pointer = valueType(call.Args[0], fn.Body, parsed)
				}
				return true
			})
			return false
		})
	}
	if typeName == "" {
		return nil
	}
	type method struct {
		name, params, results string
	}
	var methods []method
	for _, f := range parsed {
		sdk := sdkName(f)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 {
				continue
			}
			name, ptr := receiverType(fn.Recv.List[0].Type)
			if name != typeName || (ptr && !pointer) {
				continue // not in the registered value's method set
			}
			methods = append(methods, method{fn.Name.Name, fieldTypes(fn.Type.Params, sdk), fieldTypes(fn.Type.Results, sdk)})
		}
	}
	// Which delegate methods the type has, with their signatures.
	var missing []delegate.Method
	for _, dm := range delegate.Methods {
		params, results, ok := delegateSig(dm)
		has := !ok // a table entry that does not parse: TestDelegateSigsParse

		for _, m := range methods {
			has = has || (m.name == dm.Name && m.params == params && m.results == results)
		}
		if !has {
			missing = append(missing, dm)
		}
	}
	shown := pkgName + "." + typeName
	if pointer {
		shown = "*" + shown
	}
	var out []string
	for _, m := range methods {
		for _, dm := range missing {
			if m.name == dm.Name || !nearName(m.name, dm.Name) {
				continue // an exact name with another signature is the SDK's to report
			}
			have := m.name + "(" + m.params + ")"
			switch {
			case m.results == "":
			case strings.Contains(m.results, ", "):
				have += " (" + m.results + ")"
			default:
				have += " " + m.results
			}
			out = append(out, fmt.Sprintf("watch.Register: %s has method %s, which is no delegate method, so it is never called; did you mean %s?", shown, have, dm.Sig))
		}
	}
	return out
}

// goFilesFor lists the Go files of the package in dir that a GOOS=wasip1
// GOARCH=wasm build compiles (test files aside), for delegateWarnings
// when go list did not name them.
func goFilesFor(dir string) []string {
	ctxt := build.Default
	ctxt.GOOS, ctxt.GOARCH, ctxt.CgoEnabled = "wasip1", "wasm", false
	pkg, err := ctxt.ImportDir(dir, 0)
	if err != nil {
		return nil
	}
	return pkg.GoFiles
}

// sdkName is the name f imports the Go SDK under, or "".
func sdkName(f *ast.File) string {
	for _, imp := range f.Imports {
		if path, err := strconv.Unquote(imp.Path.Value); err != nil || path != sdkPath {
			continue
		}
		if imp.Name != nil {
			if imp.Name.Name == "_" || imp.Name.Name == "." {
				return ""
			}
			return imp.Name.Name
		}
		return "watch"
	}
	return ""
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// valueType returns the type of a registered value written as T{}, &T{},
// new(T), or a variable set to one of those or declared with type T or
// *T (in body, or at package level in files).
func valueType(e ast.Expr, body *ast.BlockStmt, files []*ast.File) (string, bool) {
	switch x := ast.Unparen(e).(type) {
	case *ast.CompositeLit:
		name, _ := receiverType(x.Type)
		return name, false
	case *ast.UnaryExpr:
		if lit, ok := x.X.(*ast.CompositeLit); ok && x.Op == token.AND {
			name, _ := receiverType(lit.Type)
			return name, true
		}
	case *ast.CallExpr:
		if isIdent(x.Fun, "new") && len(x.Args) == 1 {
			name, _ := receiverType(x.Args[0])
			return name, true
		}
	case *ast.Ident:
		return variableType(x.Name, body, files)
	}
	return "", false
}

// variableType finds what variable name was set to, first in body and
// then at package level.
func variableType(name string, body *ast.BlockStmt, files []*ast.File) (string, bool) {
	fromSpec := func(vs *ast.ValueSpec) (string, bool, bool) {
		for i, n := range vs.Names {
			if n.Name != name {
				continue
			}
			if vs.Type != nil {
				t, ptr := receiverType(vs.Type)
				return t, ptr, true
			}
			if i < len(vs.Values) {
				t, ptr := valueType(vs.Values[i], nil, nil)
				return t, ptr, true
			}
		}
		return "", false, false
	}
	typeName, pointer, found := "", false, false
	if body != nil {
		ast.Inspect(body, func(n ast.Node) bool {
			if found {
				return false
			}
			switch s := n.(type) {
			case *ast.AssignStmt:
				for i, lhs := range s.Lhs {
					if isIdent(lhs, name) && len(s.Rhs) == len(s.Lhs) {
						typeName, pointer = valueType(s.Rhs[i], nil, nil)
						found = true
					}
				}
			case *ast.ValueSpec:
				typeName, pointer, found = fromSpec(s)
			}
			return !found
		})
	}
	for _, f := range files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || found || gd.Tok != token.VAR {
				continue
			}
			for _, s := range gd.Specs {
				if !found {
					typeName, pointer, found = fromSpec(s.(*ast.ValueSpec))
				}
			}
		}
	}
	return typeName, pointer
}

// receiverType returns the name of the type in a receiver or type
// expression (T, *T, T[P]) and whether it is a pointer.
func receiverType(e ast.Expr) (string, bool) {
	pointer := false
	if star, ok := e.(*ast.StarExpr); ok {
		e, pointer = star.X, true
	}
	switch x := e.(type) {
	case *ast.IndexExpr:
		e = x.X
	case *ast.IndexListExpr:
		e = x.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name, pointer
	}
	return "", false
}

// fieldTypes writes the types of a parameter or result list as a method
// value's type prints them: "watch.Task, []byte", one per parameter,
// names left out, with the SDK's package called watch and uint8 as byte.
func fieldTypes(fl *ast.FieldList, sdk string) string {
	if fl == nil {
		return ""
	}
	var qualifier *regexp.Regexp
	if sdk != "" && sdk != "watch" {
		qualifier = regexp.MustCompile(`\b` + regexp.QuoteMeta(sdk) + `\.`)
	}
	var list []string
	for _, f := range fl.List {
		t := types.ExprString(f.Type)
		if qualifier != nil {
			t = qualifier.ReplaceAllString(t, "watch.")
		}
		t = uint8Word.ReplaceAllString(t, "byte")
		for range max(len(f.Names), 1) {
			list = append(list, t)
		}
	}
	return strings.Join(list, ", ")
}

var uint8Word = regexp.MustCompile(`\buint8\b`)

// delegateSig returns a delegate method's parameter and result types as
// fieldTypes writes them.
func delegateSig(dm delegate.Method) (params, results string, ok bool) {
	e, err := parser.ParseExpr("func" + strings.TrimPrefix(dm.Sig, dm.Name))
	ft, isFunc := e.(*ast.FuncType)
	if err != nil || !isFunc {
		return "", "", false
	}
	return fieldTypes(ft.Params, "watch"), fieldTypes(ft.Results, "watch"), true
}

// nearName reports whether method name a is a likely misspelling of
// delegate method name b: the same letters in another case, or at most
// two edits apart.
func nearName(a, b string) bool {
	if a == b || strings.EqualFold(a, b) {
		return true
	}
	return names.Distance(strings.ToLower(a), strings.ToLower(b)) <= 2
}
