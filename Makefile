# The README's two commands: `make demo` (or go run ./cmd/tsunagu demo) and `make test`.
.PHONY: demo test quick build bench

demo:
	go run ./cmd/tsunagu demo

# Everything: vet, staticcheck, the suite on SQLite (with -race) and on PostgreSQL, browser tests.
test:
	./scripts/test.sh

# SQLite only, no race detector: the inner loop while developing.
quick:
	go test ./...

build:
	CGO_ENABLED=0 go build -trimpath -o tsunagu ./cmd/tsunagu
