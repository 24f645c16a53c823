package demo

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"

	"github.com/connleak/connleak/internal/labca"
	"github.com/connleak/connleak/internal/proc"
	"github.com/connleak/connleak/server"
)

// Instance is one connleak server running as a child process on a free
// loopback port.
type Instance struct {
	// URL is the instance's base URL, such as http://127.0.0.1:40123.
	URL string
	// Log is the file that holds the instance's standard error.
	Log string

	p *proc.Process
}

// startTimeout bounds how long Start waits for an instance to answer.
const startTimeout = 15 * time.Second

// stopTimeout is how long Stop waits after SIGTERM before it kills: the
// server's grace period, and as long again to cut what is left.
const stopTimeout = 2 * server.ShutdownTimeout

var addrLine = regexp.MustCompile(`msg="connleak serving" addr=\S+ url=(\S+)`)

// Start runs exe as a server with BIND_ADDRESS=127.0.0.1:0 and env, and no
// other environment: a FORWARD_ default in the caller's environment must not
// change what a scenario measures. It writes the instance's standard error
// to a file named name+".log" in dir, and returns once the instance answers
// /hello. Call Stop when done, whatever Start returned.
func Start(ctx context.Context, exe, dir, name string, env ...string) (*Instance, error) {
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	defer logFile.Close() // the child holds its own copy

	cmd := exec.Command(exe, "serve")
	cmd.Env = append([]string{"BIND_ADDRESS=127.0.0.1:0"}, env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	p, err := proc.Start(cmd)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	in := &Instance{Log: logPath, p: p}
	if err := in.waitReady(ctx); err != nil {
		log, _ := os.ReadFile(logPath)
		return in, fmt.Errorf("start %s: %w; its log: %q", name, err, log)
	}
	return in, nil
}

// waitReady waits for the address the instance listens on in its log,
// then for /hello to answer.
func (in *Instance) waitReady(ctx context.Context) error {
	start := time.Now()
	url, err := in.p.AwaitLine(ctx, startTimeout, in.Log, addrLine)
	if err != nil {
		return err
	}
	in.URL = url
	return in.p.Await(ctx, startTimeout-time.Since(start), func() error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, in.URL+"/hello", nil)
		req.Close = true // leave no connection behind to count
		resp, err := statsClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /hello: %s", resp.Status)
		}
		return nil
	})
}

// Stop ends the instance: SIGTERM, then SIGKILL if it has not exited after
// stopTimeout. It returns once the process is gone, with an error if it had
// to be killed or did not exit with status 0. Calling it again is safe.
func (in *Instance) Stop() error { return in.p.Stop(stopTimeout) }

// Pair is server 1 and server 2: server 2's /forward calls server 1's /hello.
type Pair struct {
	Server1, Server2 *Instance
}

// StartPair starts server 1 with env1, then server 2 with env2 and
// UPSTREAM_URL set to server 1. Call Stop when done, whatever it returned.
func StartPair(ctx context.Context, exe, dir string, env1, env2 []string) (*Pair, error) {
	p := &Pair{}
	var err error
	if p.Server1, err = Start(ctx, exe, dir, "server1", env1...); err != nil {
		return p, err
	}
	env2 = append([]string{"UPSTREAM_URL=" + p.Server1.URL}, env2...)
	p.Server2, err = Start(ctx, exe, dir, "server2", env2...)
	return p, err
}

// Stop stops both instances, server 2 first.
func (p *Pair) Stop() error {
	var errs []error
	for _, in := range []*Instance{p.Server2, p.Server1} {
		if in != nil {
			errs = append(errs, in.Stop())
		}
	}
	return errors.Join(errs...)
}

// PID is the instance's process ID.
func (in *Instance) PID() int { return in.p.PID() }

// statsClient asks on a new connection each time, so that watching an
// instance holds no connection of its own to count. It trusts the lab CA,
// for an instance that serves TLS.
var statsClient = &http.Client{
	Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: labca.Roots()}},
	Timeout:   10 * time.Second,
}

// maxStats bounds what Stats reads of a /stats reply.
const maxStats = 1 << 20

// Get GETs path (such as "/stats") on the instance, on a connection of its
// own, and hands the body, closed after, to read; anything but 200 is an
// error that quotes the start of the body.
func (in *Instance) Get(ctx context.Context, path string, read func(io.Reader) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, in.URL+path, nil)
	if err != nil {
		return err
	}
	resp, err := statsClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return fmt.Errorf("GET %s: %s: %q", req.URL, resp.Status, b)
	}
	return read(resp.Body)
}

// Stats is the instance's /stats: its goroutines, connections and memory.
func (in *Instance) Stats(ctx context.Context) (server.Stats, error) {
	var st server.Stats
	err := in.Get(ctx, "/stats", func(r io.Reader) error {
		return json.NewDecoder(io.LimitReader(r, maxStats)).Decode(&st)
	})
	return st, err
}
