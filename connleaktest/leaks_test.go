package connleaktest

import (
	"testing"

	"github.com/connleak/connleak/dump"
)

// TestOwns says whose each goroutine is, by the check label of its label
// set as dump writes it, or by its ancestors where it has no labels.
func TestOwns(t *testing.T) {
	startRun("5", "TestX")
	defer endRun("5")
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
		{"the check's, beside a value Go quotes and JSON does not", check, `{"connleaktest.check":"5", "x":"\x01\a"}`, nil, true},
		{"another check's", check, `{"connleaktest":"TestY", "connleaktest.check":"55"}`, nil, false},
		{"another check's, a prefix of it", check, `{"connleaktest.check":"50"}`, nil, false},
		{"the check's as a value of another label", check, `{"x":"\"connleaktest.check\":\"5\""}`, nil, false},
		{"no labels", check, "", nil, false},
		{"labels that do not read before it", check, `{"a" "connleaktest.check":"5"}`, nil, false},
		{"no labels, the test's goroutine an ancestor", withGoid, "", []int{9, 7}, true},
		{"no labels, other ancestors", withGoid, "", []int{9, 8}, false},
		{"another check's, the test's goroutine an ancestor", withGoid, `{"connleaktest.check":"6"}`, []int{7}, false},
		{"unclaimed: no labels", process, "", nil, true},
		{"unclaimed: other labels", process, `{"a":"b"}`, nil, true},
		{"unclaimed: an empty check", process, `{"connleaktest.check":""}`, nil, true},
		{"claimed: a running check's", process, `{"connleaktest.check":"5"}`, nil, false},
		{"unclaimed again: a check's that has judged", process, `{"connleaktest.check":"6"}`, nil, true},
		{"unclaimed: a check's as a value", process, `{"x":"\"connleaktest.check\":\"5\""}`, nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := &dump.Goroutine{Count: 1, Labels: tt.labels, AncestorIDs: tt.ancestors}
			if got := tt.s.owns(g, checkOf(tt.labels)); got != tt.want {
				t.Errorf("owns(%s) = %v, want %v", tt.labels, got, tt.want)
			}
		})
	}
}
