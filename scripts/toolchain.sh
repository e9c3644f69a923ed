#!/usr/bin/env bash
# Build the real tools this project tests against (Pulumi CLI + language host,
# the kubernetes and tls provider plugins, kube-apiserver, etcd, istioctl,
# helm) from the Go module proxy, and cache them outside the repository in
# version-keyed directories:
#
#   ${ISTIO_EGRESS_TOOLCHAIN:-$HOME/.cache/istio-egress-toolchain}/<tool>-<version>/bin/
#
# Usage: scripts/toolchain.sh [--keep-going] [TOOL...]
#   TOOL: pulumi kubernetes tls plugins kube-apiserver etcd istioctl helm python
#   (default: all of them, in that order). Then: source "$CACHE/env.sh".
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TEMPLATES="$SCRIPT_DIR/toolchain"
CACHE="${ISTIO_EGRESS_TOOLCHAIN:-$HOME/.cache/istio-egress-toolchain}"

# ---- pinned versions (must match the npm packages in package.json) --------
PULUMI_VERSION=3.259.0
PULUMI_COMMIT=a05d88f24d05726fa3beae771bfdedb0c0c6a94a   # tag v3.259.0
K8S_PROVIDER_VERSION=4.32.0
TLS_PROVIDER_VERSION=5.5.1
KUBE_VERSION=1.36.4
ETCD_VERSION=3.6.16
ISTIO_VERSION=1.30.3
HELM_VERSION=3.22.0
ALL_TOOLS=(pulumi kubernetes tls plugins kube-apiserver etcd istioctl helm python)

# ---- Go environment: shared caches outside the repo, no toolchain downloads -
export GOMODCACHE="$CACHE/gomodcache"
export GOCACHE="$CACHE/gocache"
export GOTOOLCHAIN=local
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED="${CGO_ENABLED:-0}"
WORK="$CACHE/work"
PULUMI_HOME_DIR="$CACHE/pulumi-home"

START_ALL=$SECONDS
KEEP_GOING=0
FAILED=()

log() { printf '[toolchain %4ds] %s\n' "$((SECONDS - START_ALL))" "$*"; }
die() { log "ERROR: $*"; exit 1; }

# gobuild DIR OUT PKG [LDFLAGS]: build PKG inside wrapper module DIR, niced.
gobuild() {
  local dir=$1 out=$2 pkg=$3 ldflags=${4:-}
  (cd "$dir" && nice -n 19 go build -trimpath -ldflags "-s -w $ldflags" -o "$out" "$pkg")
}

# modinfo MODULE@VERSION FIELD: print one field of `go mod download -json`.
moddir() {
  (cd "$WORK" && go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",\{0,1\}$/\1/p')
}

# fresh_work NAME: an empty wrapper-module directory.
fresh_work() {
  local d="$WORK/$1"
  rm -rf "$d"; mkdir -p "$d"; echo "$d"
}

# stage DEST: build into DEST.partial, the caller renames it on success.
publish() { rm -rf "$1"; mv "$1.partial" "$1"; }

# ---------------------------------------------------------------------------
# 1. Pulumi CLI (+ language hosts next to it)
# ---------------------------------------------------------------------------
pulumi_dir() { echo "$CACHE/pulumi-v$PULUMI_VERSION"; }
check_pulumi() {
  local d; d=$(pulumi_dir)
  [[ -x $d/bin/pulumi-language-nodejs ]] &&
    "$d/bin/pulumi" version 2>/dev/null | grep -qx "v$PULUMI_VERSION"
}
build_pulumi() {
  local d w; d=$(pulumi_dir); w=$(fresh_work "pulumi-v$PULUMI_VERSION")
  # pkg/v3's go.mod replaces sdk/v3 with ../sdk: require the tagged sdk
  # instead, and copy pkg's other replace.
  cat >"$w/go.mod" <<MOD
module istio-egress-toolchain/pulumi

go 1.25.11

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
MOD
  local ld="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  rm -rf "$d.partial"; mkdir -p "$d.partial/bin"
  gobuild "$w" "$d.partial/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$ld"
  build_language_nodejs "$d.partial/bin"
  publish "$d"
}
