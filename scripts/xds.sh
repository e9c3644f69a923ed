#!/usr/bin/env bash
# The simulation suite (npm run test:xds): renders what every example stack registers
# (out/xds/<stack>.json, test/xds/render.ts), then walks each scenario through Istio's own config
# generator in a Go test (test/xds). The Go build shares the toolchain's module and build caches
# (~/.cache/istio-egress-toolchain): cold ~6 min on 2 cores, warm under a minute.
# Extra arguments go to `go test` (e.g. -run 'TestScenarios/s06' -v).
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${ISTIO_EGRESS_TOOLCHAIN:-$HOME/.cache/istio-egress-toolchain}"
export GOMODCACHE="$CACHE/gomodcache" GOCACHE="$CACHE/gocache" GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"

npm run build
node bin/test/xds/render.js out/xds
cd test/xds
start=$SECONDS
# -trimpath, CGO off: the same build keys as the toolchain's istioctl, so its compiled packages are reused.
go test -trimpath -count=1 "$@" .
echo "test:xds: go test took $((SECONDS - start)) s"
