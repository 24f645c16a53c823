package server

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"time"
)

// The lab's TLS. Server 1 serves TLS (SERVER_PROTO=h1-tls or h2) with a
// certificate it makes in memory at start, signed by the lab CA. The lab
// CA's key is derived from a fixed seed, so every connleak process makes
// the same CA, and server 2 trusts it without a file to share.
//
// A key anybody can derive is no secret: server 2 trusts the lab CA only
// for an upstream on a loopback address (localhost, 127.0.0.0/8, ::1),
// where whoever could impersonate server 1 already runs on the machine.
// For any other https upstream it trusts the system's roots, and the CA
// file UPSTREAM_CA names. Nothing skips verification.

// labSeed derives the lab CA's Ed25519 key.
var labSeed = sha256.Sum256([]byte("connleak lab CA: for loopback only, its key is public"))

// labCA is the lab CA's certificate and key, the same in every process.
func labCA() (*x509.Certificate, ed25519.PrivateKey, error) {
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

// LabRoots is a pool holding the lab CA, for clients of a lab server 1
// that serves TLS: the demo, the tests, the live page's probe.
func LabRoots() *x509.CertPool {
	ca, _, err := labCA()
	if err != nil {
		panic(fmt.Sprintf("the lab CA: %v", err)) // fixed inputs: this would be a bug
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool
}

// serverCertificate makes server 1's certificate, in memory: a new P-256
// key, for localhost and the loopback addresses, signed by the lab CA.
func serverCertificate() (tls.Certificate, error) {
	ca, caKey, err := labCA()
	if err != nil {
		return tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "connleak server 1"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// upstreamTLS is the TLS configuration of every call to an https
// UPSTREAM_URL: the system's roots, the file caFile names if any, and the
// lab CA where the upstream is on a loopback address.
func upstreamTLS(upstream *url.URL, caFile string) (*tls.Config, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no PEM certificate in %q", caFile)
		}
	}
	if isLoopback(upstream.Hostname()) {
		ca, _, err := labCA()
		if err != nil {
			return nil, err
		}
		pool.AddCert(ca)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
