package bundle

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// checkHostPattern validates one allowedHosts entry and returns it in
// canonical (lower-case) form. An entry is a host name, an IPv4 address or a
// bracketed IPv6 address, optionally followed by ":port"; a host name may
// start with a "*." label, which matches any subdomain.
func checkHostPattern(s string) (string, error) {
	switch {
	case s == "":
		return "", fmt.Errorf("empty host name")
	case strings.Contains(s, "://"):
		host, _, _ := strings.Cut(s[strings.Index(s, "://")+3:], "/")
		return "", fmt.Errorf("%s has a scheme; write only the host, e.g. %q", quote(s), host)
	case strings.ContainsAny(s, "/?#"):
		host, _, _ := strings.Cut(s, "/")
		return "", fmt.Errorf("%s has a path; write only the host, e.g. %q", quote(s), host)
	case strings.Contains(s, "@"):
		return "", fmt.Errorf("%s has user information; write only the host", quote(s))
	}
	host, port, err := splitHostPort(s)
	if err != nil {
		return "", err
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "", fmt.Errorf("%s has port %q; a port is a number from 1 to 65535", quote(s), port)
		}
	}
	if strings.HasPrefix(host, "[") {
		ip := net.ParseIP(host[1 : len(host)-1])
		if ip == nil || ip.To4() != nil {
			return "", fmt.Errorf("%s: %s is not an IPv6 address", quote(s), host)
		}
		return strings.ToLower(s), nil
	}
	if ip := net.ParseIP(host); ip != nil {
		return s, nil
	}
	name := strings.TrimPrefix(host, "*.")
	if strings.Contains(name, "*") {
		return "", fmt.Errorf("%s: a wildcard may only be the whole first label, e.g. \"*.example.com\"", quote(s))
	}
	if err := checkHostName(name); err != nil {
		return "", fmt.Errorf("%s: %v", quote(s), err)
	}
	return strings.ToLower(s), nil
}

// splitHostPort splits "host", "host:port", "[v6]" or "[v6]:port".
func splitHostPort(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", fmt.Errorf("%s: missing ']' after the IPv6 address", quote(s))
		}
		host, rest := s[:end+1], s[end+1:]
		if rest == "" {
			return host, "", nil
		}
		if !strings.HasPrefix(rest, ":") {
			return "", "", fmt.Errorf("%s: unexpected %q after the IPv6 address", quote(s), rest)
		}
		return host, rest[1:], nil
	}
	switch strings.Count(s, ":") {
	case 0:
		return s, "", nil
	case 1:
		host, port, _ := strings.Cut(s, ":")
		return host, port, nil
	}
	return "", "", fmt.Errorf("%s: write an IPv6 address in brackets, e.g. \"[::1]:8080\"", quote(s))
}

// checkHostName checks DNS host name syntax: dot-separated labels of 1-63
// letters, digits and hyphens, not starting or ending with a hyphen, at most
// 253 characters in all.
func checkHostName(name string) error {
	if name == "" {
		return fmt.Errorf("missing host name")
	}
	if len(name) > 253 {
		return fmt.Errorf("host name longer than 253 characters")
	}
	if strings.HasSuffix(name, ".") {
		return fmt.Errorf("remove the trailing dot")
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" {
			return fmt.Errorf("empty label (two dots in a row or a leading dot)")
		}
		if len(label) > 63 {
			return fmt.Errorf("label %q is longer than 63 characters", label)
		}
		for _, c := range label {
			if !isAlnum(c) && c != '-' {
				return fmt.Errorf("label %q contains %q; host names use letters, digits and '-'", label, c)
			}
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("label %q starts or ends with '-'", label)
		}
	}
	return nil
}

func isAlnum(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// AllowsHost reports whether the manifest's allowedHosts lets the app reach
// hostport, given as in a URL's Host field ("example.com", "example.com:8443",
// "[::1]:80"). Callers should add the scheme's default port when the URL has
// none, so that an entry with a port can match.
//
// An entry without a port allows every port; an entry with a port allows only
// that port. "*.example.com" allows any subdomain of example.com at any depth,
// but not example.com itself. Host names compare case-insensitively.
func (m *Manifest) AllowsHost(hostport string) bool {
	host, port, err := splitHostPort(strings.ToLower(hostport))
	if err != nil {
		return false
	}
	host = strings.TrimSuffix(host, ".")
	for _, entry := range m.AllowedHosts {
		h, p, err := splitHostPort(entry)
		if err != nil || (p != "" && p != port) {
			continue
		}
		if h == host {
			return true
		}
		if suffix, ok := strings.CutPrefix(h, "*"); ok && strings.HasSuffix(host, suffix) && len(host) > len(suffix) {
			return true
		}
	}
	return false
}
