package collector

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/connleak/connleak/diagnose"
	"github.com/connleak/connleak/internal/metrics"
)

// The collector's own series, beside those of internal/metrics, which the
// exporter gives too.
const (
	// TCPConnections are the process's TCP connections, from its own
	// sockets: side="client" by peer (IP:port), side="server" by the
	// listener they were accepted on.
	TCPConnections = "connleak_tcp_connections"
	// OpenConnections are the connections of the Transports given to
	// Transport, as OpenTelemetry's http.client.open_connections.
	OpenConnections = "http_client_open_connections"
	// ReadSuccess says, for each part of the process a scrape reads
	// (part="goroutines", and "sockets" where the system lists them),
	// whether it read it: 0 leaves that part's series out, and the rest of
	// the service's metrics stand.
	ReadSuccess = "connleak_collector_read_success"
)

// help is the HELP text of the collector's own series.
var help = map[string]string{
	TCPConnections:  "The process's TCP connections, from its own sockets (Linux): side=\"client\" by peer, the remote IP:port; side=\"server\" by listener, the IP:port they were accepted on; past the bound, \"other\".",
	OpenConnections: "The open connections of the Transports connleak's collector instruments, by state (idle in the pool, or active) and the host dialled, as OpenTelemetry's http.client.open_connections.",
	ReadSuccess:     "Whether connleak's collector read each part of the process at this scrape (goroutines, sockets); where it could not (out of file descriptors), that part's series are left out.",
}

// DefaultMaxPeers is how many addresses a scrape gives by default in each
// of TCPConnections' sides and in OpenConnections: the most connected to,
// the rest summed as "other".
const DefaultMaxPeers = 20

// maxMaxPeers bounds MaxPeers: more series than that per scrape is a
// cardinality no Prometheus should be given.
const maxMaxPeers = 1000

// A Collector gives, at each scrape, what the process's own goroutines say
// of its HTTP connections (the exporter's series, under the same names),
// its TCP connections by peer and listener (on Linux), and the open
// connections of the Transports given to Transport, by host and state.
// Register it with a Prometheus registry, or with an OpenTelemetry Meter
// (RegisterMeter). It is safe for concurrent scrapes.
type Collector struct {
	maxPeers int
	err      error // a bad option, which registering it returns
	descs    map[string]*prometheus.Desc
}

// An Option sets how a Collector collects.
type Option func(*Collector)

// MaxPeers sets how many addresses a scrape gives in each side of
// TCPConnections and in OpenConnections, the most connected to, the rest
// summed under "other": from 1 to 1000; DefaultMaxPeers if not set.
func MaxPeers(n int) Option {
	return func(c *Collector) {
		if n < 1 || n > maxMaxPeers {
			c.err = fmt.Errorf("collector.MaxPeers(%d): the addresses a scrape gives in a series must be 1 to %d", n, maxMaxPeers)
			return
		}
		c.maxPeers = n
	}
}

// New returns a Collector. A bad option is the error its registration
// returns (prometheus.Registry.Register, RegisterMeter).
func New(opts ...Option) *Collector {
	c := &Collector{maxPeers: DefaultMaxPeers, descs: map[string]*prometheus.Desc{}}
	for _, o := range opts {
		o(c)
	}
	for _, f := range metrics.Of(diagnose.Report{}) {
		c.descs[f.Name] = prometheus.NewDesc(f.Name, metrics.Help[f.Name], f.LabelNames(), nil)
	}
	c.descs[TCPConnections] = prometheus.NewDesc(TCPConnections, help[TCPConnections], []string{"side", "peer", "listener"}, nil)
	c.descs[OpenConnections] = prometheus.NewDesc(OpenConnections, help[OpenConnections], []string{"http_connection_state", "server_address", "server_port"}, nil)
	c.descs[ReadSuccess] = prometheus.NewDesc(ReadSuccess, help[ReadSuccess], []string{"part"}, nil)
	return c
}

// Describe sends the descriptions of every series, or, after a bad
// option, an invalid one carrying its error.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	if c.err != nil {
		ch <- prometheus.NewInvalidDesc(c.err)
		return
	}
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect reads the process and sends its series. A part it cannot read
// (ReadSuccess 0) it leaves out: an error would fail the whole scrape, the
// service's other metrics with it, when the process is out of descriptors,
// as a leak leaves it.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.read()
	gauge := func(name string, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(c.descs[name], prometheus.GaugeValue, v, labels...)
	}
	for _, f := range s.families {
		for _, v := range f.Series {
			gauge(f.Name, v.Value, metrics.Values(v.Labels)...)
		}
	}
	for _, p := range s.sockets.client {
		gauge(TCPConnections, float64(p.n), "client", p.addr, "")
	}
	for _, l := range s.sockets.server {
		gauge(TCPConnections, float64(l.n), "server", "", l.addr)
	}
	for _, h := range s.open {
		host, port := splitHost(h.addr)
		gauge(OpenConnections, float64(h.n-h.active), "idle", host, port)
		gauge(OpenConnections, float64(h.active), "active", host, port)
	}
}

// A snapshot is what one read of the process says.
type snapshot struct {
	families []metrics.Family // the diagnosis of its goroutines, and ReadSuccess
	sockets  sockets
	open     []count // the instrumented Transports' connections
	err      error   // what it could not read
}

// read reads the process: its goroutines, its sockets where the system
// lists them, the instrumented Transports' connections.
func (c *Collector) read() snapshot {
	var s snapshot
	success := metrics.Family{Name: ReadSuccess}
	part := func(name string, err error) {
		ok := 1.0
		if err != nil {
			ok, s.err = 0, errors.Join(s.err, fmt.Errorf("connleak collector: the process's %s: %w", name, err))
		}
		success.Series = append(success.Series, metrics.Series{Labels: []string{"part", name}, Value: ok})
	}
	r, err := diagnose.Process()
	if err == nil {
		s.families = metrics.Of(r)
	}
	part("goroutines", err)
	if s.sockets, err = readSockets(c.maxPeers); !errors.Is(err, errNoSockets) {
		part("sockets", err)
	}
	s.families = append(s.families, success)
	s.open = openConns(c.maxPeers)
	return s
}

// splitHost is host:port's host and port; "other" has neither port.
func splitHost(addr string) (host, port string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, ""
	}
	if _, err := strconv.Atoi(port); err != nil {
		return addr, ""
	}
	return host, port
}
