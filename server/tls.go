package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"github.com/connleak/connleak/internal/labca"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"slices"
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

// stallHandshakeProto is the ALPN protocol that a call with
// stallHandshake=true offers first: server 1 never finishes the TLS
// handshake of a ClientHello that offers it (stallHandshakes).
const stallHandshakeProto = "connleak-stall-handshake"

// errHandshakeStalled fails a stalled handshake once it ends.
var errHandshakeStalled = errors.New("connleak: TLS handshake stalled on purpose (stallHandshake=true) until the client closed the connection")

// stallHandshakes is server 1's tls.Config.GetConfigForClient. A ClientHello
// that offers stallHandshakeProto gets no ServerHello: the handshake waits
// until the client closes the connection, or stop is done, and then fails.
// Every other ClientHello goes on with the server's own configuration, so
// the lab's own requests (/stats, /debug/pprof) are served on the same
// listener.
func stallHandshakes(stop context.Context) func(*tls.ClientHelloInfo) (*tls.Config, error) {
	return func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		if !slices.Contains(hello.SupportedProtos, stallHandshakeProto) {
			return nil, nil
		}
		// DELIBERATE LEAK (dials stuck in a TLS handshake): an upstream that accepts and never
		// finishes its handshake. The connection holds a goroutine and a
		// socket here, and a dial on the client, for as long as the client
		// waits: only its Transport's TLSHandshakeTimeout bounds that. The
		// handshake deadline net/http takes from ReadHeaderTimeout would
		// end the stall after 5s, so it is lifted; a stop sets it again.
		c := hello.Conn
		c.SetReadDeadline(time.Time{})
		defer context.AfterFunc(stop, func() { c.SetReadDeadline(time.Now()) })()
		io.Copy(io.Discard, c) // until the client closes, or the deadline of a stop
		return nil, errHandshakeStalled
	}
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
