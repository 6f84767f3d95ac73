# The two commands: `make run` starts the server on the embedded default;
# `make test` installs what the tests need when missing and runs every test.
.PHONY: run test build vet

run:
	go run ./cmd/idpool serve

test:
	bash scripts/test.sh

build:
	CGO_ENABLED=0 go build -o bin/idpool ./cmd/idpool

vet:
	gofmt -l . | (! grep .) && go vet ./...
