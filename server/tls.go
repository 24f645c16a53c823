package server

import (
	"connleak/internal/labca"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
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
// certificate it makes in memory at start, signed by the lab CA (package
// labca). Server 2 trusts the lab CA only for an upstream on a loopback
// address; for any other https upstream it trusts the system's roots, and
// the CA file UPSTREAM_CA names. Nothing skips verification.

// serverCertificate makes server 1's certificate, in memory: a new P-256
// key, for localhost and the loopback addresses, signed by the lab CA.
func serverCertificate() (tls.Certificate, error) {
	ca, caKey, err := labca.CA()
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
	if labca.Trusts(upstream.Hostname()) {
		ca, _, err := labca.CA()
		if err != nil {
			return nil, err
		}
		pool.AddCert(ca)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}
