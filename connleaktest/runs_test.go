package connleaktest

import (
	"slices"
	"testing"
)

// TestBeside says which tests ran beside a check: every other whose check
// ran while it did, for a while at least, but its parents and subtests.
func TestBeside(t *testing.T) {
	type step struct {
		start bool
		check string // started as test "T" + check, or ended
	}
	for _, tt := range []struct {
		name  string
		steps []step
		check string
		want  []string
	}{
		{"alone", []step{{true, "1"}}, "1", nil},
		{"one after the other", []step{{true, "1"}, {false, "1"}, {true, "2"}}, "2", nil},
		{"a sibling started during it", []step{{true, "1"}, {true, "2"}}, "1", []string{"T2"}},
		{"a sibling running when it started", []step{{true, "1"}, {true, "2"}}, "2", []string{"T1"}},
		{"a sibling that ended before it did", []step{{true, "1"}, {true, "2"}, {false, "2"}}, "1", []string{"T2"}},
		{"two siblings, sorted", []step{{true, "3"}, {true, "2"}, {true, "1"}}, "3", []string{"T1", "T2"}},
		{"its subtest", []step{{true, "1"}, {true, "1/a"}}, "1", nil},
		{"its parent", []step{{true, "1"}, {true, "1/a"}}, "1/a", nil},
		{"its parent's parent", []step{{true, "1"}, {true, "1/a/b"}}, "1/a/b", nil},
		{"its subtest's sibling", []step{{true, "1"}, {true, "1/a"}, {true, "1/b"}}, "1/a", []string{"T1/b"}},
		{"a test whose name it begins", []step{{true, "1"}, {true, "10"}}, "1", []string{"T10"}},
		{"ended", []step{{true, "1"}, {true, "2"}, {false, "1"}}, "1", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			prefix := t.Name() + "/" // checks of their own, unlike any of another test
			for _, s := range tt.steps {
				if s.start {
					startRun(prefix+s.check, "T"+s.check)
				} else {
					endRun(prefix + s.check)
				}
			}
			t.Cleanup(func() {
				for _, s := range tt.steps {
					endRun(prefix + s.check)
				}
			})
			if got := besideOf(prefix + tt.check); !slices.Equal(got, tt.want) {
				t.Errorf("besideOf(%s) = %q, want %q", tt.check, got, tt.want)
			}
		})
	}
}
