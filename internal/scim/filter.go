package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// A filter (RFC 7644 section 3.4.2.2) is parsed into a small tree, checked
// against the attributes this server knows, and evaluated in Go over the
// organization's provisioned people; the common lookups (userName eq,
// externalId eq, id eq) also narrow the SQL query first.
//
//	FILTER    = attrExp / logExp / valuePath / "not" "(" FILTER ")" / "(" FILTER ")"
//	attrExp   = attrPath SP "pr" / attrPath SP compareOp SP compValue
//	valuePath = attrPath "[" valFilter "]"
//
// Precedence is not, then and, then or. Operators and keywords are
// case-insensitive; attribute names are too.

// Limits keep a hostile filter from costing much: the length bounds the work,
// the depth bounds the recursion.
const (
	maxFilterLen   = 4096
	maxFilterDepth = 32
)

// Expr is a parsed filter. String gives a canonical form that parses back to
// the same tree.
type Expr interface {
	String() string
}

// Logical is "L and R" or "L or R".
type Logical struct {
	Op   string // "and" or "or"
	L, R Expr
}

// Not negates a filter.
type Not struct{ X Expr }

// Compare is "path op value", or "path pr" (Value unused).
type Compare struct {
	Path  AttrPath
	Op    string // eq ne co sw ew gt ge lt le pr
	Value Value
}

// Has is a bare valuePath, emails[type eq "work"]: true when an element
// of the multi-valued attribute matches the inner filter.
type Has struct {
	Path AttrPath // Filter set, no Sub
}

// AttrPath is [URI ":"] name [ "[" filter "]" ] [ "." sub ].
type AttrPath struct {
	URI    string
	Name   string
	Filter Expr
	Sub    string
}

// ValueKind is the JSON type of a comparison value.
type ValueKind int

// Kinds of comparison values.
const (
	String ValueKind = iota
	Number
	Boolean
	Null
)

// Value is a comparison value.
type Value struct {
	Kind ValueKind
	Str  string // the string, or the number's text
	Bool bool
}

func (v Value) String() string {
	switch v.Kind {
	case Number:
		return v.Str
	case Boolean:
		if v.Bool {
			return "true"
		}
		return "false"
	case Null:
		return "null"
	}
	return quote(v.Str)
}

// quote writes s as a JSON string (SCIM strings are JSON strings), without
// HTML escaping so that the form reads as typed.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// String writes only the parentheses the tree needs (and binds tighter than
// or; both group to the left), so the canonical form of a long chain is not
// nested deeper than the filter it came from.
func (e Logical) String() string {
	l, r := e.L.String(), e.R.String()
	if lo, ok := e.L.(Logical); ok && e.Op == "and" && lo.Op == "or" {
		l = "(" + l + ")"
	}
	if ro, ok := e.R.(Logical); ok && (e.Op == "and" || ro.Op == "or") {
		r = "(" + r + ")"
	}
	return l + " " + e.Op + " " + r
}
func (e Not) String() string { return "not (" + e.X.String() + ")" }
func (e Has) String() string { return e.Path.String() }
func (e Compare) String() string {
	if e.Op == "pr" {
		return e.Path.String() + " pr"
	}
	return e.Path.String() + " " + e.Op + " " + e.Value.String()
}

func (p AttrPath) String() string {
	var b strings.Builder
	if p.URI != "" {
		b.WriteString(p.URI + ":")
	}
	b.WriteString(p.Name)
	if p.Filter != nil {
		b.WriteString("[" + p.Filter.String() + "]")
	}
	if p.Sub != "" {
		b.WriteString("." + p.Sub)
	}
	return b.String()
}

// FilterError says why a filter was refused; it becomes a 400 invalidFilter.
type FilterError struct{ Msg string }

func (e *FilterError) Error() string { return "invalid filter: " + e.Msg }

func filterErr(format string, args ...any) error {
	return &FilterError{Msg: fmt.Sprintf(format, args...)}
}

// token kinds of the lexer.
const (
	tEOF = iota
	tWord
	tString
	tLParen
	tRParen
	tLBracket
	tRBracket
)

type token struct {
	kind int
	text string // a word as written, or a string's decoded value
	pos  int
}

func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			out = append(out, token{tLParen, "(", i})
			i++
		case c == ')':
			out = append(out, token{tRParen, ")", i})
			i++
		case c == '[':
			out = append(out, token{tLBracket, "[", i})
			i++
		case c == ']':
			out = append(out, token{tRBracket, "]", i})
			i++
		case c == '"':
			end, err := stringEnd(s, i)
			if err != nil {
				return nil, err
			}
			var v string
			if err := json.Unmarshal([]byte(s[i:end]), &v); err != nil || !utf8.ValidString(v) {
				return nil, filterErr("the string at position %d is not a valid JSON string", i+1)
			}
			out = append(out, token{tString, v, i})
			i = end
		default:
			start := i
			for i < len(s) && !strings.ContainsRune(" \t\r\n()[]\"", rune(s[i])) {
				i++
			}
			out = append(out, token{tWord, s[start:i], start})
		}
	}
	return append(out, token{tEOF, "", len(s)}), nil
}

// stringEnd finds the byte after the closing quote of the string at s[i].
func stringEnd(s string, i int) (int, error) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, filterErr("the string at position %d has no closing quote", i+1)
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) keyword(t token, kw string) bool {
	return t.kind == tWord && strings.EqualFold(t.text, kw)
}

// ParseFilter parses a filter. Errors are *FilterError.
func ParseFilter(s string) (Expr, error) {
	if len(s) > maxFilterLen {
		return nil, filterErr("the filter is longer than %d characters", maxFilterLen)
	}
	if !utf8.ValidString(s) {
		return nil, filterErr("the filter is not valid UTF-8")
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.or(false)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, filterErr("unexpected %q at position %d", t.text, t.pos+1)
	}
	return e, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxFilterDepth {
		return filterErr("the filter nests deeper than %d levels", maxFilterDepth)
	}
	return nil
}

// inner is true inside [...], where attribute paths name sub-attributes and
// brackets cannot nest.
func (p *parser) or(inner bool) (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	l, err := p.and(inner)
	if err != nil {
		return nil, err
	}
	for p.keyword(p.peek(), "or") {
		p.next()
		r, err := p.and(inner)
		if err != nil {
			return nil, err
		}
		l = Logical{Op: "or", L: l, R: r}
	}
	return l, nil
}

func (p *parser) and(inner bool) (Expr, error) {
	l, err := p.unary(inner)
	if err != nil {
		return nil, err
	}
	for p.keyword(p.peek(), "and") {
		p.next()
		r, err := p.unary(inner)
		if err != nil {
			return nil, err
		}
		l = Logical{Op: "and", L: l, R: r}
	}
	return l, nil
}

func (p *parser) unary(inner bool) (Expr, error) {
	t := p.peek()
	if p.keyword(t, "not") && p.toks[p.i+1].kind == tLParen {
		p.next()
		x, err := p.group(inner)
		if err != nil {
			return nil, err
		}
		return Not{X: x}, nil
	}
	if t.kind == tLParen {
		return p.group(inner)
	}
	return p.attrExp(inner)
}

func (p *parser) group(inner bool) (Expr, error) {
	open := p.next() // "("
	x, err := p.or(inner)
	if err != nil {
		return nil, err
	}
	if p.next().kind != tRParen {
		return nil, filterErr("the parenthesis at position %d is not closed", open.pos+1)
	}
	return x, nil
}

var compareOps = map[string]bool{"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true, "ge": true, "lt": true, "le": true}

func (p *parser) attrExp(inner bool) (Expr, error) {
	t := p.next()
	if t.kind != tWord {
		if t.kind == tEOF {
			return nil, filterErr("the filter ends where an attribute name was expected")
		}
		return nil, filterErr("expected an attribute name at position %d, found %q", t.pos+1, t.text)
	}
	path, err := parseAttrPath(t.text)
	if err != nil {
		return nil, err
	}
	if p.peek().kind == tLBracket {
		if inner {
			return nil, filterErr("filters in brackets cannot nest (position %d)", p.peek().pos+1)
		}
		if path.Sub != "" {
			return nil, filterErr("a bracket filter follows an attribute, not a sub-attribute (position %d)", p.peek().pos+1)
		}
		open := p.next()
		f, err := p.or(true)
		if err != nil {
			return nil, err
		}
		if p.next().kind != tRBracket {
			return nil, filterErr("the bracket at position %d is not closed", open.pos+1)
		}
		path.Filter = f
		if w := p.peek(); w.kind == tWord && strings.HasPrefix(w.text, ".") && w.pos == p.toks[p.i-1].pos+1 {
			p.next()
			if !validName(w.text[1:]) {
				return nil, filterErr("%q is not a valid sub-attribute name", w.text[1:])
			}
			path.Sub = w.text[1:]
		} else {
			return Has{Path: path}, nil
		}
	}
	opTok := p.next()
	if opTok.kind != tWord {
		return nil, filterErr("expected an operator after %q", t.text)
	}
	op := strings.ToLower(opTok.text)
	if op == "pr" {
		return Compare{Path: path, Op: "pr"}, nil
	}
	if !compareOps[op] {
		return nil, filterErr("%q is not an operator (use eq, ne, co, sw, ew, gt, ge, lt, le or pr)", opTok.text)
	}
	vt := p.next()
	var v Value
	switch {
	case vt.kind == tString:
		v = Value{Kind: String, Str: vt.text}
	case p.keyword(vt, "true"), p.keyword(vt, "false"):
		v = Value{Kind: Boolean, Bool: strings.EqualFold(vt.text, "true")}
	case p.keyword(vt, "null"):
		v = Value{Kind: Null}
	case vt.kind == tWord && isNumber(vt.text):
		v = Value{Kind: Number, Str: vt.text}
	default:
		if vt.kind == tEOF {
			return nil, filterErr("the filter ends where a value for %q was expected", opTok.text)
		}
		return nil, filterErr("%q is not a value: quote strings (\"...\") or use true, false, null or a number", vt.text)
	}
	return Compare{Path: path, Op: op, Value: v}, nil
}

func isNumber(s string) bool {
	var f json.Number
	return json.Unmarshal([]byte(s), &f) == nil && s != "" && s[0] != '"'
}

func validName(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '$' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parseAttrPath splits "urn:...:User:name.givenName" into its parts. The
// URI is everything up to the last colon (URIs hold dots, as in "2.0").
func parseAttrPath(s string) (AttrPath, error) {
	var p AttrPath
	rest := s
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		p.URI, rest = s[:i], s[i+1:]
		if !strings.HasPrefix(strings.ToLower(p.URI), "urn:") {
			return p, filterErr("%q is not an attribute name", s)
		}
	}
	name, sub, dotted := strings.Cut(rest, ".")
	if !validName(name) || (dotted && !validName(sub)) {
		return p, filterErr("%q is not an attribute name", s)
	}
	p.Name, p.Sub = name, sub
	return p, nil
}

// isFilterError reports whether err is a refusal of the filter.
func isFilterError(err error) bool {
	var fe *FilterError
	return errors.As(err, &fe)
}

// ParsePath parses a PATCH path (RFC 7644 section 3.5.2): an attribute path
// with an optional bracket filter and sub-attribute, as in
// emails[type eq "work"].value.
func ParsePath(s string) (AttrPath, error) {
	if len(s) > maxFilterLen || !utf8.ValidString(s) {
		return AttrPath{}, filterErr("the path is too long or not UTF-8")
	}
	toks, err := lex(s)
	if err != nil {
		return AttrPath{}, err
	}
	p := &parser{toks: toks}
	t := p.next()
	if t.kind != tWord {
		return AttrPath{}, filterErr("%q is not an attribute path", s)
	}
	path, err := parseAttrPath(t.text)
	if err != nil {
		return AttrPath{}, err
	}
	if p.peek().kind == tLBracket && path.Sub == "" {
		p.next()
		if path.Filter, err = p.or(true); err != nil {
			return AttrPath{}, err
		}
		if p.next().kind != tRBracket {
			return AttrPath{}, filterErr("the bracket in %q is not closed", s)
		}
		if w := p.peek(); w.kind == tWord && strings.HasPrefix(w.text, ".") && w.pos == p.toks[p.i-1].pos+1 {
			p.next()
			if !validName(w.text[1:]) {
				return AttrPath{}, filterErr("%q is not a valid sub-attribute name", w.text[1:])
			}
			path.Sub = w.text[1:]
		}
	}
	if p.peek().kind != tEOF {
		return AttrPath{}, filterErr("%q is not an attribute path", s)
	}
	return path, nil
}
