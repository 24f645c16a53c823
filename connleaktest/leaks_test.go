package connleaktest

import (
	"encoding/json"
	"testing"

	"github.com/connleak/connleak/dump"
)

// TestOwner says owner, which reads only the label sets that may hold the
// scope's LabelCheck, judges every goroutine as owns does with its label
// set read.
func TestOwner(t *testing.T) {
	check := scope{who: "TestX", check: "5"}
	withGoid := scope{who: "TestX", check: "5", goid: 7}
	process := scope{who: "the process"}
	for _, tt := range []struct {
		name      string
		s         scope
		labels    string
		ancestors []int
		want      bool
	}{
		{"the check's", check, `{"connleaktest":"TestX", "connleaktest.check":"5"}`, nil, true},
		{"the check's, other labels too", check, `{"a":"b", "connleaktest.check":"5", "z":"y"}`, nil, true},
		{"another check's", check, `{"connleaktest":"TestY", "connleaktest.check":"55"}`, nil, false},
		{"another check's, a prefix of it", check, `{"connleaktest.check":"50"}`, nil, false},
		{"the check's as a value of another label", check, `{"x":"\"connleaktest.check\":\"5\""}`, nil, false},
		{"no labels", check, "", nil, false},
		{"labels that do not read as JSON", check, `{"connleaktest.check":"5", "x":"\x01"}`, nil, false},
		{"no labels, the test's goroutine an ancestor", withGoid, "", []int{9, 7}, true},
		{"no labels, other ancestors", withGoid, "", []int{9, 8}, false},
		{"another check's, the test's goroutine an ancestor", withGoid, `{"connleaktest.check":"6"}`, []int{7}, false},
		{"unclaimed: no labels", process, "", nil, true},
		{"unclaimed: other labels", process, `{"a":"b"}`, nil, true},
		{"unclaimed: an empty check", process, `{"connleaktest.check":""}`, nil, true},
		{"unclaimed: a check's", process, `{"connleaktest.check":"5"}`, nil, false},
		{"unclaimed: a check's as a value", process, `{"x":"\"connleaktest.check\":\"5\""}`, nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := &dump.Goroutine{Count: 1, Labels: tt.labels, AncestorIDs: tt.ancestors}
			var l map[string]string
			json.Unmarshal([]byte(tt.labels), &l)
			if got := tt.s.owns(g, l); got != tt.want {
				t.Fatalf("owns(%s) = %v, want %v", tt.labels, got, tt.want)
			}
			if got := tt.s.owner()(g); got != tt.want {
				t.Errorf("owner()(%s) = %v, want %v, as owns says", tt.labels, got, tt.want)
			}
		})
	}
}
