package labca

import (
	"bytes"
	"testing"
)

func TestCA(t *testing.T) {
	a, _, err := CA()
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := CA()
	if !bytes.Equal(a.Raw, b.Raw) || !a.IsCA {
		t.Errorf("the lab CA differs between two makes, or is no CA: every process must make the same one")
	}
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "127.3.2.1": true, "::1": true, "example.com": false, "10.0.0.1": false, "": false} {
		if Trusts(host) != want {
			t.Errorf("Trusts(%q) = %v, want %v", host, !want, want)
		}
	}
}
