# connleak: reproduce, fix and measure goroutine leaks from HTTP connections.

N ?= 400
Q ?=
FUZZTIME ?= 50000x
PANICPARSE ?= github.com/maruel/panicparse/v2/cmd/pp@v2.5.0
BODYCLOSE ?= github.com/timakin/bodyclose@v0.0.0-20260723120731-857993a2939c
VETDIR ?= .
WHOLE_MODULE_TESTS = ^(TestVetSelf|TestVetSelfDirectives|TestFixBuilds|TestGolangciLint|TestVet|TestBench)$$

.PHONY: demo run run2 load build test lint fuzz bench bench-vet screenshot

## demo: every scenario on fresh pairs of servers; prints the table, writes report.html
demo:
	go run ./cmd/connleak demo -out report.html

## run: server 1 on :8080
run:
	go run ./main/main.go

## run2: server 2 on :9090, forwarding to server 1 on localhost:8080
run2:
	BIND_ADDRESS=:9090 go run ./main/main.go

## load: the Resty demo's curl loop against server 2, built in: make load N=400 Q='idleConnTimeout=1s'
load:
	go run ./cmd/connleak load -n $(N) 'http://localhost:9090/forward?$(Q)'

## build: the binary, as bin/connleak
build:
	go build -o bin/connleak ./cmd/connleak

## test: vet, then every test with the race detector, then the slow whole-module tests (connleak vet on connleak, what -fix writes built, the golangci-lint plugin, the bench), which go test ./... leaves out, without the race detector
test:
	go vet ./...
	go test -race ./...
	CONNLEAK_WHOLE_MODULE_TESTS=1 go test -run '$(WHOLE_MODULE_TESTS)' ./cmd/connleak/cli ./vet ./vet/golangci ./internal/lab/bench ./e2e

## lint: vet, staticcheck, and a check that go.mod and go.sum are tidy
lint:
	go vet ./...
	go tool staticcheck ./...
	go mod tidy -diff

## bench: every configuration against plain net/http on real processes, connleak diagnose against panicparse (PANICPARSE), connleak vet against go vet and bodyclose (BODYCLOSE) on the module in VETDIR (this one), the exporter, hostile profiles, then the Go benchmarks (the server's, connleaktest's check, and the collector's scrape and Transport); installing the two into bin/ is the one step that needs the network
bench:
	GOBIN=$(CURDIR)/bin go install $(PANICPARSE)
	GOBIN=$(CURDIR)/bin go install $(BODYCLOSE)
	go run ./cmd/connleak bench -panicparse $(CURDIR)/bin/pp -bodyclose $(CURDIR)/bin/bodyclose -vet $(VETDIR)
	go test -run '^$$' -bench . -benchmem ./server
	go test -run '^$$' -bench BenchmarkCheck -benchmem ./connleaktest
	go test -run '^$$' -bench . -benchmem ./collector

## bench-vet: bench's vet table alone, on ./... of the module in VETDIR (this one): make bench-vet VETDIR=../other
bench-vet:
	GOBIN=$(CURDIR)/bin go install $(BODYCLOSE)
	go run ./cmd/connleak bench -load=false -g 0 -targets 0 -bodyclose $(CURDIR)/bin/bodyclose -vet $(VETDIR)

## fuzz: each fuzz target for FUZZTIME (50000x: a count, not a duration, which go1.26's fuzzer can fail at the deadline; golang/go#75804), from its seed corpus
fuzz:
	go test -run '^$$' -fuzz '^FuzzParseQuery$$' -fuzztime $(FUZZTIME) ./server
	go test -run '^$$' -fuzz '^FuzzForward$$' -fuzztime $(FUZZTIME) ./server
	go test -run '^$$' -fuzz '^FuzzHello$$' -fuzztime $(FUZZTIME) ./server
	go test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./dump
	go test -run '^$$' -fuzz '^FuzzLoadConfig$$' -fuzztime $(FUZZTIME) ./exporter

## screenshot: docs/live.png, the live page after a leaky burst, taken by its browser test
screenshot:
	go test -count=1 -run TestLivePage ./e2e -args -screenshot $(CURDIR)/docs/live.png
