package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/connleak/connleak/internal/lab/demo"
)

// The chart's size and margins, in SVG units.
const (
	chartW, chartH                     = 640, 240
	marginL, marginR, marginT, marginB = 56, 16, 24, 36
)

// Chart draws a scenario's goroutine counts against time as an SVG line
// chart: server 2 and server 1, the requests shaded, the idle wait marked.
func Chart(r *demo.Result) string {
	if len(r.Points) == 0 {
		return ""
	}
	xMax := niceCeil(r.Points[len(r.Points)-1].At.Seconds())
	yMax := 0
	for _, p := range r.Points {
		yMax = max(yMax, p.G2, p.G1)
	}
	yTop := niceCeil(float64(yMax))
	x := func(s float64) float64 { return marginL + s/xMax*(chartW-marginL-marginR) }
	y := func(g float64) float64 { return chartH - marginB - g/yTop*(chartH-marginT-marginB) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="goroutines of %s">`,
		chartW, chartH, chartW, chartH, r.Name)
	loadEnd := x(r.Points[r.LoadEnd].At.Seconds())
	fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#eef"/>`, x(0), marginT, loadEnd-x(0), chartH-marginT-marginB)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11">%d requests</text>`, x(0)+4, marginT-6, r.N)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888" stroke-dasharray="4 3"/>`, loadEnd, marginT, loadEnd, chartH-marginB)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11">idle wait</text>`, loadEnd+4, marginT-6)
	for _, t := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" text-anchor="end">%g</text>`, marginL-6, y(t*yTop)+4, t*yTop)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%gs</text>`, x(t*xMax), chartH-marginB+16, t*xMax)
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#000"/>`, marginL, chartH-marginB, chartW-marginR, chartH-marginB)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#000"/>`, marginL, marginT, marginL, chartH-marginB)
	fmt.Fprintf(&b, `<text x="12" y="%d" font-size="11" transform="rotate(-90 12 %d)" text-anchor="middle">goroutines</text>`, chartH/2, chartH/2)
	for _, line := range []struct {
		name, color string
		g           func(demo.Point) int
	}{
		{"server 2", "#1f77b4", func(p demo.Point) int { return p.G2 }},
		{"server 1", "#ff7f0e", func(p demo.Point) int { return p.G1 }},
	} {
		pts := make([]string, len(r.Points))
		for i, p := range r.Points {
			pts[i] = fmt.Sprintf("%.1f,%.1f", x(p.At.Seconds()), y(float64(line.g(p))))
		}
		fmt.Fprintf(&b, `<polyline class="%s" fill="none" stroke="%s" stroke-width="2" points="%s"/>`,
			strings.ReplaceAll(line.name, " ", ""), line.color, strings.Join(pts, " "))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#1f77b4" text-anchor="end">server 2</text>`, chartW-marginR-60, marginT-6)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#ff7f0e" text-anchor="end">server 1</text>`, chartW-marginR, marginT-6)
	b.WriteString(`</svg>`)
	return b.String()
}

// niceCeil rounds v up to a round number: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6
// or 8 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
