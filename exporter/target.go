package exporter

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"path"
	"regexp"
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
	path   string // cleaned of ., .. and empty segments; "/" for none
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
	}
	return nil
}
