// Package labca is connleak's lab CA: a certificate authority whose
// Ed25519 key every connleak process derives from the same fixed seed, so
// that server 2 (and connleak diagnose) can verify the certificate server 1
// makes at start without a file to share. A key anybody can derive is no
// secret: trust it for loopback hosts only (Trusts).
package labca

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"time"
)

// labSeed derives the lab CA's Ed25519 key.
var labSeed = sha256.Sum256([]byte("connleak lab CA: for loopback only, its key is public"))

// CA is the lab CA's certificate and key, the same in every process.
func CA() (*x509.Certificate, ed25519.PrivateKey, error) {
	key := ed25519.NewKeyFromSeed(labSeed[:])
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "connleak lab CA (loopback only)"},
		NotBefore:             time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2125, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key) // Ed25519 signs deterministically
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

// Roots is a pool holding the lab CA, for clients of a lab server 1
// that serves TLS: the demo, the tests, the live page's probe.
func Roots() *x509.CertPool {
	ca, _, err := CA()
	if err != nil {
		panic(fmt.Sprintf("the lab CA: %v", err)) // fixed inputs: this would be a bug
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool
}

// Trusts reports whether the lab CA may be trusted for host: a loopback
// name or address, where whoever could impersonate server 1 already runs on
// the machine.
func Trusts(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
