package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// histogram is one Prometheus histogram as the text format writes it: the
// upper bound of each bucket, ascending, the last +Inf, and the cumulative
// count of each.
type histogram struct {
	le    []float64
	count []uint64
}

// parseHistogram finds the buckets of the histogram name (such as
// go_sched_pauses_total_other_seconds) in a /metrics reply in the
// Prometheus text format.
func parseHistogram(metrics []byte, name string) (histogram, error) {
	var h histogram
	prefix := name + "_bucket{"
	sc := bufio.NewScanner(bytes.NewReader(metrics))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			continue
		}
		labels, value, ok := strings.Cut(line, "} ")
		le, okLe := label(labels, "le")
		if !ok || !okLe {
			return h, fmt.Errorf("%s: no le label in %q", name, sc.Text())
		}
		bound, err := strconv.ParseFloat(le, 64)
		if err != nil {
			return h, fmt.Errorf("%s: bucket le=%q: %w", name, le, err)
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || n < 0 || n != math.Trunc(n) {
			return h, fmt.Errorf("%s: bucket le=%q: count %q is not a count", name, le, value)
		}
		if k := len(h.le); k > 0 && (bound <= h.le[k-1] || uint64(n) < h.count[k-1]) {
			return h, fmt.Errorf("%s: bucket le=%q out of order", name, le)
		}
		h.le, h.count = append(h.le, bound), append(h.count, uint64(n))
	}
	if err := sc.Err(); err != nil {
		return h, err
	}
	if len(h.le) == 0 {
		return h, fmt.Errorf("no histogram %s", name)
	}
	if !math.IsInf(h.le[len(h.le)-1], 1) {
		return h, fmt.Errorf("%s: no +Inf bucket", name)
	}
	return h, nil
}

// label is the value of the label name in labels, such as
// `le="0.5",x="y"`; its values hold no comma nor escaped quote.
func label(labels, name string) (string, bool) {
	for l := range strings.SplitSeq(labels, ",") {
		n, v, ok := strings.Cut(strings.TrimSpace(l), "=")
		if ok && n == name && len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			return v[1 : len(v)-1], true
		}
	}
	return "", false
}

// added is how many observations fell in each bucket (not cumulative)
// between before and h, two readings of the same histogram.
func (h histogram) added(before histogram) ([]uint64, error) {
	if !slices.Equal(h.le, before.le) {
		return nil, fmt.Errorf("the buckets changed between two readings: %v, then %v", before.le, h.le)
	}
	added := make([]uint64, len(h.le))
	var prev uint64 // cumulative count added below bucket i
	for i := range h.le {
		if h.count[i] < before.count[i] {
			return nil, fmt.Errorf("bucket le=%g went down from %d to %d", h.le[i], before.count[i], h.count[i])
		}
		cum := h.count[i] - before.count[i]
		if cum < prev {
			return nil, fmt.Errorf("bucket le=%g: fewer added (%d) than below it (%d)", h.le[i], cum, prev)
		}
		added[i], prev = cum-prev, cum
	}
	return added, nil
}

// Pauses is what some fetches added to a histogram of pauses: how many,
// the bucket of the largest, and the bounds of their total, each pause
// counted at its bucket's lower and upper bounds.
type Pauses struct {
	Count int
	// Largest is the highest bucket a pause fell in: its lower and upper
	// bounds in seconds, the upper +Inf for the last bucket.
	Largest [2]float64
	// Total is the sum of the pauses' lower bounds and of their upper
	// bounds, in seconds.
	Total [2]float64
}

// add counts the observations added to each bucket of h.
func (p *Pauses) add(h histogram, added []uint64) {
	for i, n := range added {
		if n == 0 {
			continue
		}
		low := 0.0
		if i > 0 {
			low = h.le[i-1]
		}
		p.Count += int(n)
		p.Total[0] += low * float64(n)
		p.Total[1] += h.le[i] * float64(n)
		if h.le[i] > p.Largest[1] {
			p.Largest = [2]float64{low, h.le[i]}
		}
	}
}
