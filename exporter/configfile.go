package exporter

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A configuration file is parsed into YAML nodes, never decoded by the
// YAML package into Go values: its decoder's errors quote the file (an
// unknown anchor's name, a value of the wrong type, an unknown key, which
// may be a password whose key was forgotten), and it takes anchors,
// aliases, merge keys and tags, which let a value be written where it is
// not seen. decodeConfig walks the nodes itself: it refuses those, knows
// every key, reads every value, and says where each mistake is by its line
// and its key's place (modules.prod.basic_auth.password), never by a value.

// placeError is a mistake in a configuration file, where it is: its line,
// and the place of the key it is in.
type placeError struct {
	line  int    // 0 for unknown
	place string // such as modules.prod.basic_auth; "" for the file
	msg   string
}

func (e *placeError) Error() string {
	var b strings.Builder
	if e.line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.line)
	}
	if e.place != "" {
		b.WriteString(e.place + ": ")
	}
	b.WriteString(e.msg)
	return b.String()
}

// at is a mistake at n's line.
func at(n *yaml.Node, place, format string, args ...any) error {
	return &placeError{line: n.Line, place: place, msg: fmt.Sprintf(format, args...)}
}

// What each mapping of the file accepts.
const (
	fileAccepts      = "the file accepts modules"
	moduleAccepts    = "a module accepts debug, allow, scope, basic_auth, bearer_token, bearer_token_file, tls_config"
	scopeAccepts     = "scope accepts scheme, host, port, path"
	basicAuthAccepts = "basic_auth accepts username, password, password_file"
	tlsAccepts       = "tls_config accepts ca_file, cert_file, key_file, server_name, insecure_skip_verify"
)

// keysOf is the keys an accepts sentence lists.
func keysOf(accepts string) []string {
	_, list, _ := strings.Cut(accepts, " accepts ")
	return strings.Split(list, ", ")
}

// standardTags are the tags a node may carry: those a value of the file
// has anyway, written out.
var standardTags = []string{"!!str", "!!int", "!!bool", "!!map", "!!seq", "!!null"}

// decodeConfig is the modules of a configuration file, and the line of
// each key by its place, for the errors that come later.
func decodeConfig(b []byte) (map[string]Module, map[string]int, error) {
	lines := map[string]int{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil, lines, nil // an empty file
	case err != nil:
		return nil, nil, syntaxError(b, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, nil, at(&next, "", "a second document: the file accepts one")
	case !errors.Is(err, io.EOF):
		return nil, nil, syntaxError(b, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, lines, nil
	}
	d := &decoder{lines: lines}
	var modules map[string]Module
	err := d.mapping(doc.Content[0], "", fileAccepts, false, func(key string, v *yaml.Node, place string) (err error) {
		modules, err = d.modules(v, place)
		return err
	})
	return modules, lines, err
}

// decoder walks a configuration file's nodes.
type decoder struct {
	lines map[string]int // the line of each key, by its place
}

// mapping walks n, a mapping at place, or null, for none: each of its keys
// must be one of those accepts lists, or any name if anyName, and f reads
// its value. Every key and every value is checked first (check).
func (d *decoder) mapping(n *yaml.Node, place, accepts string, anyName bool, f func(key string, v *yaml.Node, place string) error) error {
	if err := check(n, place); err != nil {
		return err
	}
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return at(n, place, "%s where a mapping goes (%s)", kindOf(n), accepts)
	}
	keys := keysOf(accepts)
	first := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if err := check(k, place); err != nil {
			return err
		}
		switch {
		case k.Tag == "!!merge":
			return at(k, place, "a merge key (<<): refused; write the keys out")
		case k.Kind != yaml.ScalarNode || isNull(k):
			return at(k, place, "%s where a key goes: accepts a name", kindOf(k))
		case k.Value == "":
			return at(k, place, "an empty key: accepts a name")
		case !anyName && !slices.Contains(keys, k.Value):
			// The key is not said: it may be a value whose key was
			// forgotten, a password as well as a typo.
			return at(k, place, "an unknown key%s (%s)", nearest(k.Value, keys), accepts)
		}
		child := strings.TrimPrefix(place+"."+keyName(k.Value), ".")
		if line, ok := first[k.Value]; ok {
			return at(k, child, "given twice: accepts it once (first on line %d)", line)
		}
		first[k.Value] = k.Line
		d.lines[child] = k.Line
		if err := check(v, child); err != nil {
			return err
		}
		if err := f(k.Value, v, child); err != nil {
			return err
		}
	}
	return nil
}

// keyName is a key as its place says it: quoted, unless it is made of
// letters, digits, '_' and '-' only, so that a place is one line and each
// of its dots separates two keys.
func keyName(key string) string {
	if plainKey.MatchString(key) {
		return key
	}
	return strconv.Quote(key)
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// check refuses in n what the file does not accept anywhere: an alias, an
// anchor, a tag other than the standard ones, a tag its value is not.
func check(n *yaml.Node, place string) error {
	switch {
	case n.Kind == yaml.AliasNode:
		return at(n, place, "an alias (*): anchors and aliases are refused; write the value out")
	case n.Anchor != "":
		return at(n, place, "an anchor (&): anchors and aliases are refused; write the value out")
	case n.Style&yaml.TaggedStyle == 0:
		return nil
	case !slices.Contains(standardTags, n.Tag):
		return at(n, place, "a tag other than %s: refused", strings.Join(standardTags, ", "))
	}
	ok := true
	switch n.Tag {
	case "!!map":
		ok = n.Kind == yaml.MappingNode
	case "!!seq":
		ok = n.Kind == yaml.SequenceNode
	case "!!str":
		ok = n.Kind == yaml.ScalarNode
	case "!!int":
		_, err := parseInt(n.Value)
		ok = n.Kind == yaml.ScalarNode && err == nil
	case "!!bool":
		_, err := parseBool(n.Value)
		ok = n.Kind == yaml.ScalarNode && err == nil
	case "!!null":
		ok = n.Kind == yaml.ScalarNode && isNullValue(n.Value)
	}
	if !ok {
		return at(n, place, "tagged %s, which its value is not", n.Tag)
	}
	return nil
}

// modules reads the modules mapping.
func (d *decoder) modules(n *yaml.Node, place string) (map[string]Module, error) {
	modules := map[string]Module{}
	err := d.mapping(n, place, "modules accepts a module by name", true, func(name string, v *yaml.Node, place string) (err error) {
		if isNull(v) {
			// Most likely a value whose key was forgotten: the name
			// is not said.
			return at(v, "modules", "a name without settings: accepts a module's settings, {} for the defaults")
		}
		modules[name], err = d.module(v, place)
		return err
	})
	return modules, err
}

// module reads one module's settings.
func (d *decoder) module(n *yaml.Node, place string) (m Module, err error) {
	err = d.mapping(n, place, moduleAccepts, false, func(key string, v *yaml.Node, place string) (err error) {
		switch key {
		case "debug":
			var debug int
			debug, err = integer(v, place, 0, 2, "debug accepts 0, 1 or 2")
			m.Debug = &debug
		case "allow":
			m.Allow, err = text(v, place)
		case "scope":
			m.Scope, err = d.scope(v, place)
		case "basic_auth":
			m.BasicAuth, err = d.basicAuth(v, place)
		case "bearer_token":
			var s string
			s, err = text(v, place)
			m.BearerToken = Secret(s)
		case "bearer_token_file":
			m.BearerTokenFile, err = text(v, place)
		case "tls_config":
			m.TLS, err = d.tls(v, place)
		}
		return err
	})
	return m, err
}

// scope reads a module's scope: nil for null.
func (d *decoder) scope(n *yaml.Node, place string) (*Scope, error) {
	if isNull(n) {
		return nil, nil
	}
	var s Scope
	err := d.mapping(n, place, scopeAccepts, false, func(key string, v *yaml.Node, place string) (err error) {
		switch key {
		case "scheme":
			s.Scheme, err = text(v, place)
		case "host":
			s.Host, err = text(v, place)
		case "port":
			s.Port, err = integer(v, place, 1, 65535, "port accepts 1 to 65535")
		case "path":
			s.Path, err = text(v, place)
		}
		return err
	})
	return &s, err
}

// basicAuth reads a module's basic_auth: nil for null.
func (d *decoder) basicAuth(n *yaml.Node, place string) (*BasicAuth, error) {
	if isNull(n) {
		return nil, nil
	}
	var a BasicAuth
	err := d.mapping(n, place, basicAuthAccepts, false, func(key string, v *yaml.Node, place string) (err error) {
		switch key {
		case "username":
			a.Username, err = text(v, place)
		case "password":
			var s string
			s, err = text(v, place)
			a.Password = Secret(s)
		case "password_file":
			a.PasswordFile, err = text(v, place)
		}
		return err
	})
	return &a, err
}

// tls reads a module's tls_config.
func (d *decoder) tls(n *yaml.Node, place string) (t TLSConfig, err error) {
	err = d.mapping(n, place, tlsAccepts, false, func(key string, v *yaml.Node, place string) (err error) {
		switch key {
		case "ca_file":
			t.CAFile, err = text(v, place)
		case "cert_file":
			t.CertFile, err = text(v, place)
		case "key_file":
			t.KeyFile, err = text(v, place)
		case "server_name":
			t.ServerName, err = text(v, place)
		case "insecure_skip_verify":
			t.InsecureSkipVerify, err = boolean(v, place)
		}
		return err
	})
	return t, err
}

// text is n's text, "" for null.
func text(n *yaml.Node, place string) (string, error) {
	switch {
	case n.Kind != yaml.ScalarNode:
		return "", at(n, place, "%s where text goes", kindOf(n))
	case isNull(n):
		return "", nil
	}
	return n.Value, nil
}

// integer is n's whole number, from lo to hi.
func integer(n *yaml.Node, place string, lo, hi int64, accepts string) (int, error) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, at(n, place, "%s where a whole number goes: %s", kindOf(n), accepts)
	}
	i, err := parseInt(n.Value)
	if err != nil || i < lo || i > hi {
		return 0, at(n, place, "a number out of range: %s", accepts)
	}
	return int(i), nil
}

// boolean is n's true or false.
func boolean(n *yaml.Node, place string) (bool, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		if b, err := parseBool(n.Value); err == nil {
			return b, nil
		}
	}
	return false, at(n, place, "%s where true or false goes", kindOf(n))
}

// parseInt reads a YAML integer: decimal, 0x, 0o or 0b, with a sign.
func parseInt(s string) (int64, error) { return strconv.ParseInt(s, 0, 64) }

// parseBool reads a YAML boolean.
func parseBool(s string) (bool, error) {
	switch s {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

// isNull reports whether n is null: empty, ~ or null.
func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// isNullValue reports whether s is written as null.
func isNullValue(s string) bool {
	return slices.Contains([]string{"", "~", "null", "Null", "NULL"}, s)
}

// kindOf says what n is, in words that hold no value of it.
func kindOf(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	case isNull(n):
		return "nothing"
	case n.Tag == "!!int":
		return "a number"
	case n.Tag == "!!float":
		return "a decimal"
	case n.Tag == "!!bool":
		return "a boolean"
	}
	return "text"
}

// nearest is ", KEY misspelled?" for the key of keys that s is a typo of
// (at most two letters changed, added or removed), else "": it names a key
// the file should have, never the one it has.
func nearest(s string, keys []string) string {
	for _, k := range keys {
		if len(s) > 2 && distance(s, k) <= 2 {
			return fmt.Sprintf(", %s misspelled?", k)
		}
	}
	return ""
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// The YAML parser's errors: "yaml: line N: PROBLEM". PROBLEM is one of
// libyaml's fixed sentences, said as is; but for an alias whose anchor is
// not defined, whose name it quotes.
var (
	yamlError     = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)
	unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

// yamlProblems are the parser's sentences that quote nothing of the file.
var yamlProblems = []string{
	"found character that cannot start any token", "could not find expected ':'",
	"block sequence entries are not allowed in this context", "mapping keys are not allowed in this context",
	"mapping values are not allowed in this context", "found unknown directive name",
	"did not find expected comment or line break", "could not find expected directive name",
	"found unexpected non-alphabetical character", "did not find expected digit or '.' character",
	"found extremely long version number", "did not find expected version number",
	"did not find expected whitespace", "did not find expected whitespace or line break",
	"did not find expected alphabetic or numeric character", "did not find the expected '>'",
	"found an indentation indicator equal to 0", "found a tab character where an indentation space is expected",
	"found unexpected document indicator", "found unexpected end of stream", "found unknown escape character",
	"did not find expected hexdecimal number", "found invalid Unicode character escape code",
	"found a tab character that violates indentation", "did not find URI escaped octet",
	"did not find expected tag URI", "did not find expected '!'", "found an incorrect leading UTF-8 octet",
	"found an incorrect trailing UTF-8 octet", "did not find expected <stream-start>",
	"did not find expected <document start>", "found undefined tag handle", "did not find expected node content",
	"did not find expected '-' indicator", "did not find expected key", "did not find expected ',' or ']'",
	"did not find expected ',' or '}'", "found duplicate %YAML directive", "found incompatible YAML document",
	"found duplicate %TAG directive", "invalid leading UTF-8 octet", "incomplete UTF-8 octet sequence",
	"invalid trailing UTF-8 octet", "invalid length of a UTF-8 sequence", "invalid Unicode character",
	"incomplete UTF-16 character", "unexpected low surrogate area", "incomplete UTF-16 surrogate pair",
	"expected low surrogate area", "control characters are not allowed", "exceeded max depth of 10000",
}

// syntaxError is err, the YAML parser's, said without quoting the file:
// its line and its problem where that is one of yamlProblems, else only
// that the line is not YAML.
func syntaxError(b []byte, err error) error {
	m := yamlError.FindStringSubmatch(err.Error())
	if m == nil {
		return errors.New("not YAML")
	}
	line, _ := strconv.Atoi(m[1])
	if a := unknownAnchor.FindStringSubmatch(m[2]); a != nil {
		// The parser says no line: the alias's is that of its first
		// use.
		if i := bytes.Index(b, []byte("*"+a[1])); i >= 0 {
			line = bytes.Count(b[:i], []byte("\n")) + 1
		}
		return &placeError{line: line, msg: "an alias (*): anchors and aliases are refused; write the value out"}
	}
	msg := "not YAML"
	if slices.Contains(yamlProblems, m[2]) {
		msg += ": " + m[2]
	}
	return &placeError{line: line, msg: msg}
}
