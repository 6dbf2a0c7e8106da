// Package shape measures the module's shape: how many methods each named
// type declares, so that no type grows past the size a reader can hold
// (docs/design.md). It reads source files only; it loads no package.
package shape

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Type is one named type and the methods declared on it, value and
// pointer receivers alike (promoted methods of embedded fields are not
// its own and do not count).
type Type struct {
	Dir      string // the package's directory, relative to the module root, slash-separated ("" for the root)
	Name     string
	Methods  int
	Exported int // of Methods, those with an exported name
}

// String is the type as docs/design.md writes it: dir.Name, or Name in
// the module's root package.
func (t Type) String() string {
	if t.Dir == "" {
		return t.Name
	}
	return t.Dir + "." + t.Name
}

// MethodsPerType counts the methods of every named type declared in the
// module rooted at root, in its non-test .go files; directories named
// testdata, hidden ones and nested modules (another go.mod) are not the
// module's. The types come most methods first, then by name.
func MethodsPerType(root string) ([]Type, error) {
	counts := map[[2]string]*Type{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == root {
				return nil
			}
			if d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("shape: %w", err)
		}
		rel, err := filepath.Rel(root, filepath.Dir(p))
		if err != nil {
			return fmt.Errorf("shape: %w", err)
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			rel = ""
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List) == 0 {
				continue
			}
			name := receiverName(fd.Recv.List[0].Type)
			if name == "" {
				return fmt.Errorf("shape: %s: method %s: receiver type not understood", fset.Position(fd.Pos()), fd.Name.Name)
			}
			key := [2]string{rel, name}
			t := counts[key]
			if t == nil {
				t = &Type{Dir: rel, Name: name}
				counts[key] = t
			}
			t.Methods++
			if fd.Name.IsExported() {
				t.Exported++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	types := make([]Type, 0, len(counts))
	for _, t := range counts {
		types = append(types, *t)
	}
	sort.Slice(types, func(i, j int) bool {
		if types[i].Methods != types[j].Methods {
			return types[i].Methods > types[j].Methods
		}
		return types[i].String() < types[j].String()
	})
	return types, nil
}

// receiverName is the type name of a receiver: T, *T, T[P] or *T[P].
func receiverName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	switch x := e.(type) {
	case *ast.IndexExpr:
		e = x.X
	case *ast.IndexListExpr:
		e = x.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
