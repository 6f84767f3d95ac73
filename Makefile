# The two commands: `make run` starts the server on the embedded default;
# `make test` installs what the tests need when missing and runs every test.
.PHONY: run test build vet licenses image release

run:
	go run ./cmd/idpool serve

test:
	bash scripts/test.sh

build:
	CGO_ENABLED=0 go build -o bin/idpool ./cmd/idpool

vet:
	gofmt -l . | (! grep .) && go vet ./...

# Regenerate THIRD_PARTY_LICENSES.md from what the binary imports (go-licenses);
# make test fails when it is stale or a dependency's licence is not allowed.
licenses:
	go test -count=1 ./test/licenses -run TestThirdPartyLicenseList -update

# The container image (Containerfile), built with podman or docker.
image:
	scripts/image.sh idpool:dev

# Release binaries for linux/darwin/windows on amd64/arm64 in dist/, with
# SHA256SUMS; `scripts/release.sh --verify` also proves they are reproducible.
release:
	scripts/release.sh
