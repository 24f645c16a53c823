package exporter

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"path"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// canonical is where a target's request goes, read from its parsed URL
// and written one way however the URL wrote it: what a module's Scope is
// matched against. Its query and fragment are no part of it.
type canonical struct {
	scheme string // http or https
	host   string // lower case, without a trailing dot; an IP address in its standard form, IPv6 without brackets
	port   int    // the scheme's default where the URL names none
	path   string // cleaned of ., .., empty segments and a trailing /; "/" for none
	// sent is the path as the request writes it, escapes and all: a
	// scope admits a target only where it is path, so that no server
	// that routes by the path as written (%2e%2e, %2F, ..) reads another.
	sent string
}

// defaultPorts are the ports of the schemes a target may have.
var defaultPorts = map[string]int{"http": 80, "https": 443}

// canonicalize is u's canonical form, or an error that says which part is
// refused and what is accepted. It refuses a host that names its server
// in more than one way, or that a resolver could read as something else:
// a name that is not ASCII (write it in its xn-- form), an IP address with
// a trailing dot, a name whose last label is a number (127.1,
// 0x7f000001, which some resolvers read as IPv4 addresses), an IPv6
// address with a zone.
func canonicalize(u *url.URL) (canonical, error) {
	c := canonical{scheme: u.Scheme, port: defaultPorts[u.Scheme]}
	if c.port == 0 {
		return c, errors.New("accepts an http:// or https:// URL")
	}
	host := u.Hostname()
	switch {
	case strings.Contains(host, ":"): // IPv6, which url.Parse found in brackets
		a, err := netip.ParseAddr(host)
		if err != nil || a.Zone() != "" {
			return c, errors.New("host: accepts an IPv6 address without a zone in brackets, such as [fd00::1]")
		}
		c.host = a.String()
	default:
		name := strings.ToLower(host)
		dot := strings.HasSuffix(name, ".")
		name = strings.TrimSuffix(name, ".")
		if a, err := netip.ParseAddr(name); err == nil && a.Is4() {
			if dot {
				return c, errors.New("host: an IP address with a trailing dot: accepts it without")
			}
			c.host = a.String()
			break
		}
		if !hostName.MatchString(name) || len(name) > 253 || endsInNumber(name) {
			return c, errors.New("host: accepts a DNS name of ASCII letters, digits, '-', '_' and '.' (an international one in its xn-- form), a dotted IPv4 address, or an IPv6 one in brackets")
		}
		c.host = name
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, errors.New("port: accepts 1 to 65535")
		}
		c.port = n
	}
	c.path = path.Clean("/" + u.Path)
	if c.sent = u.EscapedPath(); c.sent == "" {
		c.sent = "/"
	}
	return c, nil
}

// hostName is a DNS name: labels of letters, digits, '-' and '_', of at
// most 63 bytes each, in lower case.
var hostName = regexp.MustCompile(`^[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})*$`)

// endsInNumber reports whether the last label of name is a number, in
// decimal or in hex (0x...): a name the URL standard, and inet_aton, read
// as an IPv4 address.
func endsInNumber(name string) bool {
	last := name[strings.LastIndexByte(name, '.')+1:]
	digits := strings.Trim(last, "0123456789") == ""
	hex := strings.HasPrefix(last, "0x") && strings.Trim(last[2:], "0123456789abcdef") == ""
	return digits || hex
}

// scope is a Scope ready to match targets.
type scope struct {
	scheme     string
	host, path *regexp.Regexp
	port       int
}

// admits is nil if c is in the scope, else an error that names the first
// part of c that is not.
func (s *scope) admits(c canonical) error {
	switch {
	case c.scheme != s.scheme:
		return fmt.Errorf("scheme %s is not the module's scope.scheme %s", c.scheme, s.scheme)
	case !s.host.MatchString(c.host):
		return fmt.Errorf("host %s does not match the module's scope.host %s", c.host, s.host)
	case c.port != s.port:
		return fmt.Errorf("port %d is not the module's scope.port %d", c.port, s.port)
	case !s.path.MatchString(c.path):
		return fmt.Errorf("path %s does not match the module's scope.path %s", c.path, s.path)
	case c.sent != c.path:
		return fmt.Errorf("path %s is written otherwise than it is matched, %s: a module with a scope accepts a path with no ., .., empty segment or escape", c.sent, c.path)
	}
	return nil
}

// admitsQuery reports whether the regular expression expr can match a URL
// with a query: one that cannot admits no URL fetched, each of which has
// its form in its query (?debug=N). It looks for a part of expr that
// matches '?', where any match of a '?' must come from.
func admitsQuery(expr string) bool {
	re, err := syntax.Parse(expr, syntax.Perl)
	return err != nil || matchesRune(re, '?') // a bad expression is compile's to say
}

// matchesRune reports whether some part of re can match r.
func matchesRune(re *syntax.Regexp, r rune) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return slices.Contains(re.Rune, r)
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= r && r <= re.Rune[i+1] {
				return true
			}
		}
		return false
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return true
	}
	return slices.ContainsFunc(re.Sub, func(sub *syntax.Regexp) bool { return matchesRune(sub, r) })
}

// noQuery is what an allow that admits no URL with a query is told.
const noQuery = `admits no URL with a query, and every URL fetched has one, its form (?debug=N): add (\?debug=[012])? after the path`
