package dump

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// maxLabelSet bounds the label sets Read reads, in bytes as written: a
// longer one, of no real program (a label set is a few keys), is not read
// nor kept, rather than take time and memory in proportion to it for each
// group or goroutine that has it. Goroutine.Labels says ElidedLabels.
const maxLabelSet = 64 << 10

// ElidedLabels is Goroutine.Labels for a label set longer than 64 KiB as
// the dump writes it, which Read neither reads nor keeps.
const ElidedLabels = "{...}"

// label is one key and value of a label set.
type label struct{ k, v string }

// formatLabels writes a label set as pprof's debug=1 does, the one form
// Goroutine.Labels has whatever the dump: {"k":"v", "k2":"v2"}, sorted by
// key.
func formatLabels(l map[string]string) string {
	var set []label
	for k, v := range l {
		set = append(set, label{k, v})
	}
	return string(appendLabels(nil, set))
}

// appendLabels appends the label set l to b in formatLabels' form, the
// values of a key given more than once joined by commas, in their order;
// nothing for none. It sorts l.
func appendLabels(b []byte, l []label) []byte {
	if len(l) == 0 {
		return b
	}
	slices.SortStableFunc(l, func(a, b label) int { return strings.Compare(a.k, b.k) })
	b = append(b, '{')
	for i := 0; i < len(l); {
		j := i + 1
		for j < len(l) && l[j].k == l[i].k {
			j++
		}
		v := l[i].v
		if j > i+1 {
			var sb strings.Builder
			for n, kv := range l[i:j] {
				if n > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString(kv.v)
			}
			v = sb.String()
		}
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendQuote(b, l[i].k) // as fmt's %q, which pprof writes with
		b = append(b, ':')
		b = strconv.AppendQuote(b, v)
		i = j
	}
	return append(b, '}')
}

// normalLabels reads a label set as a dump writes it, debug=1's
// {"k":"v", ...} or a traceback's {"k": "v", ...}, into formatLabels' form;
// what does not read as one is kept as written, one longer than
// maxLabelSet elided.
func normalLabels(s string) string {
	var l map[string]string
	if len(s) > maxLabelSet {
		return ElidedLabels
	}
	if json.Unmarshal([]byte(s), &l) != nil {
		return s
	}
	return formatLabels(l)
}

// headerLabels reads the label set of a Go 1.27 goroutine header,
// {caller: checkout, "weird key": "v\n", empty: }, into formatLabels' form:
// keys and values are Go-quoted where they hold anything but letters,
// digits, '.', '/' and '_'. What does not read as one is kept as written.
func headerLabels(s string) string {
	if len(s) > maxLabelSet {
		return ElidedLabels
	}
	body, ok := strings.CutPrefix(s, "{")
	body, ok2 := strings.CutSuffix(body, "}")
	if !ok || !ok2 {
		return s
	}
	l := map[string]string{}
	for body != "" {
		k, rest, ok := headerToken(body)
		if !ok {
			return s
		}
		rest, ok = strings.CutPrefix(rest, ": ")
		if !ok {
			if rest, ok = strings.CutPrefix(rest, ":"); !ok { // an empty value last: "k: }" loses its space to the "}"
				return s
			}
		}
		v, rest, ok := headerToken(rest)
		if !ok {
			return s
		}
		l[k] = v
		if body, ok = strings.CutPrefix(rest, ", "); !ok && rest != "" {
			return s
		}
	}
	return formatLabels(l)
}

// headerToken reads one key or value of a Go 1.27 header's labels: a
// Go-quoted string, or a run of the characters Go leaves unquoted (none,
// for an empty value).
func headerToken(s string) (tok, rest string, ok bool) {
	if strings.HasPrefix(s, `"`) {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return "", s, false
		}
		tok, _ = strconv.Unquote(q)
		return tok, s[len(q):], true
	}
	i := strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '/' || r == '_')
	})
	if i < 0 {
		i = len(s)
	}
	return s[:i], s[i:], true
}
