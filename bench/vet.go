package bench

import (
	"context"
	"fmt"
	"io"
	"time"
)

// VetResult is what Vet measured: connleak vet and go vet on the
// same packages.
type VetResult struct {
	Rounds      int
	Vet, GoVet  time.Duration // medians of the wall time
	VetFindings bool          // whether connleak vet found something (exit 1)
}

// Vet runs `exe vet ./...` and `go vet ./...` in the working
// directory, once each to warm the build cache, then rounds times each,
// interleaved. go vet caches its results: each of its runs is given a
// -printf.funcs no run has used, which changes nothing it reports but makes
// it analyse every package again, as connleak vet does.
func Vet(ctx context.Context, exe string, rounds int) (VetResult, error) {
	r := VetResult{Rounds: rounds}
	var ours, theirs []time.Duration
	for i := -1; i < rounds; i++ {
		took, code, _, err := timed(ctx, exe, "vet", "./...")
		if err != nil || code > 1 {
			return r, fmt.Errorf("connleak vet ./...: exit %d: %v", code, err)
		}
		r.VetFindings = code == 1
		// A value no run has used, so that go vet cannot answer from its cache.
		took2, code2, _, err := timed(ctx, "go", "vet", fmt.Sprintf("-printf.funcs=connleakbench%d", time.Now().UnixNano()), "./...")
		if err != nil || code2 > 1 {
			return r, fmt.Errorf("go vet ./...: exit %d: %v", code2, err)
		}
		if i >= 0 { // the first round only warms the caches
			ours, theirs = append(ours, took), append(theirs, took2)
		}
	}
	r.Vet, r.GoVet = medianOf(ours), medianOf(theirs)
	return r, nil
}

// WriteVet writes r as a few lines, with the ratio.
func WriteVet(w io.Writer, r VetResult) error {
	_, err := fmt.Fprintf(w, "\nconnleak vet against go vet on ./..., medians of %d interleaved runs:\n"+
		"  connleak vet ./...                        %s\n"+
		"  go vet ./...                              %s\n"+
		"  connleak vet vs go vet                    %.2fx\n",
		r.Rounds, millis(r.Vet, 0), millis(r.GoVet, 0), float64(r.Vet)/float64(r.GoVet))
	return err
}
