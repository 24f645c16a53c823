package scenario

import (
	"net/http"
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	got, err := Select("timeout, leak")
	if err != nil || len(got) != 2 || got[0].Name != "leak" || got[1].Name != "timeout" {
		t.Errorf("Select(timeout, leak) = %v, %v; want leak, timeout", got, err)
	}
	everything, _ := Select("")
	if len(everything) != len(all) || everything[0].Name != "leak" {
		t.Fatalf("Select() = %d scenarios, want all %d", len(everything), len(all))
	}
	everything[0].Name, everything[0].Want = "changed", Flat
	everything[5].Env1[0] = "CHANGED=1"
	if a := All(); a[0].Name != "leak" || a[0].Want != Leaks || a[5].Env1[0] != "SERVER_IDLE_TIMEOUT=1s" {
		t.Errorf("changing what Select returned changed the catalogue: %+v, %+v", a[0], a[5])
	}
	if _, err := Select("leak,nope"); err == nil || !strings.Contains(err.Error(), `unknown scenario "nope"`) || !strings.Contains(err.Error(), "body-drain-close") {
		t.Errorf("Select(leak,nope): %v", err)
	}
}

// TestChecks checks that every check of connleak vet shows in the lab.
func TestChecks(t *testing.T) {
	for _, c := range []string{CheckTransportIdleTimeout, CheckClientPerCall, CheckServerIdleTimeout, CheckBodyNotClosed} {
		if _, ok := ForCheck(c); !ok {
			t.Errorf("no scenario shows what %s flags", c)
		}
	}
	if s, _ := ForCheck(CheckClientPerCall); s.Name != "leak" {
		t.Errorf("client-per-call's scenario is %s, want leak", s.Name)
	}
}

// TestCatalogue checks that every row says what it must, consistently: a
// scenario that grows has a growth per request, one that leaks names a
// finding on both servers, one that ends flat or recovered names none.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range All() {
		if seen[s.Name] || s.Name == "" || s.Query == "" || s.Explain == "" || s.Seed == "" {
			t.Errorf("%+v: want a unique name, a query, a seed and an explanation", s)
		}
		seen[s.Name] = true
		if s.PerConn != http1Conn && s.PerConn != http2Conn && s.PerConn != handshakeConn {
			t.Errorf("%s: %+v goroutines per connection, want HTTP/1.1's, HTTP/2's or a stuck dial's", s.Name, s.PerConn)
		}
		if s.Concurrency > 1 {
			// A moment of concurrency: what it holds is in flight.
			if s.DiagnoseDuring != (s.Finding2 != "") || s.Want == Flat || s.Requests > 0 && s.Requests < s.Concurrency {
				t.Errorf("%s: %+v: a concurrent row has a verdict, and a finding where it is diagnosed during its requests", s.Name, s)
			}
			continue
		}
		if grows := s.PerRequest != none; grows != (s.Want != Flat) || grows && s.PerRequest != s.PerConn {
			t.Errorf("%s: %s with %+v goroutines per request", s.Name, s.Want, s.PerRequest)
		}
		if named := s.Finding2 != "" && s.Finding1 != ""; named != (s.Want == Leaks) || s.DiagnoseDuring {
			t.Errorf("%s: %s, findings %q and %q: a leak names one on each server, nothing else does", s.Name, s.Want, s.Finding2, s.Finding1)
		}
		if s.Status != http.StatusOK && s.Status != http.StatusGatewayTimeout {
			t.Errorf("%s: status %d", s.Name, s.Status)
		}
	}
}
