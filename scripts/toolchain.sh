#!/usr/bin/env bash
# Build the real tools this project tests against (Pulumi CLI + language hosts,
# the kubernetes and tls provider plugins, kube-apiserver, etcd, istioctl,
# helm) from the Go module proxy, and cache them outside the repository in
# version-keyed directories:
#
#   ${ISTIO_EGRESS_TOOLCHAIN:-$HOME/.cache/istio-egress-toolchain}/<tool>-<version>/bin/
#
# Usage: scripts/toolchain.sh [--keep-going] [TOOL...]
#   TOOL: pulumi language-hosts yaml kubernetes tls plugins kube-apiserver kube-controller-manager
#         etcd istioctl helm
#   (default: all of them, in that order). Then: source "$CACHE/env.sh".
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TEMPLATES="$SCRIPT_DIR/toolchain"
CACHE="${ISTIO_EGRESS_TOOLCHAIN:-$HOME/.cache/istio-egress-toolchain}"

# ---- pinned versions (must match the npm packages in package.json) --------
PULUMI_VERSION=3.259.0
K8S_PROVIDER_VERSION=4.32.0
TLS_PROVIDER_VERSION=5.5.1
KUBE_VERSION=1.36.4
ETCD_VERSION=3.6.16
HELM_VERSION=3.22.0
PULUMI_YAML_VERSION=1.25.0
# Source snapshots. The proxy serves no tag for the provider modules (they are
# only reachable as pseudo-versions it happens to hold) nor for istio.io/istio
# (its tags are not semver): see the notes in each build function.
K8S_PROVIDER_MODULE=v4.0.0-20260115033456-f47bc2d6f199
ISTIO_MODULE=v0.0.0-20260827124520-eed52ebb66ad
ALL_TOOLS=(pulumi language-hosts yaml kubernetes tls plugins kube-apiserver kube-controller-manager etcd istioctl helm)

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

# moddir MODULE@VERSION: download a module, print its (read-only) directory.
moddir() {
  local out dir
  out=$(cd "$WORK" && go mod download -json "$1") || { echo "$out" >&2; return 1; }
  dir=$(sed -n 's/^\t"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$out")
  [[ -n $dir ]] || { echo "$out" >&2; return 1; }
  echo "$dir"
}

# prints CMD...: a tool's version output. Captured before matching, because `cmd | grep -q`
# under pipefail fails at random: grep exits at the first match and cmd dies of SIGPIPE.
prints() { "$@" 2>/dev/null || true; }

# fresh_work NAME: an empty wrapper-module directory.
fresh_work() {
  local d="$WORK/$1"
  rm -rf "$d"; mkdir -p "$d"; echo "$d"
}

# publish DEST: builds go to DEST.partial; move it into place once complete, so
# an interrupted build never looks cached.
publish() { rm -rf "$1"; mv "$1.partial" "$1"; }

# ---------------------------------------------------------------------------
# 1. Pulumi CLI (+ Node.js and Python language hosts next to it)
# ---------------------------------------------------------------------------
pulumi_dir() { echo "$CACHE/pulumi-v$PULUMI_VERSION"; }
check_pulumi() {
  local d; d=$(pulumi_dir)
  [[ "$(prints "$d/bin/pulumi" version)" == "v$PULUMI_VERSION" ]]
}
build_pulumi() {
  local d w; d=$(pulumi_dir); w=$(fresh_work "pulumi-v$PULUMI_VERSION")
  # pkg/v3's go.mod replaces sdk/v3 with ../sdk: require the tagged sdk
  # instead, and copy pkg's other replace.
  cat >"$w/go.mod" <<MOD
module istio-egress-toolchain/pulumi

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
MOD
  local ld="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  rm -rf "$d.partial"; mkdir -p "$d.partial/bin"
  gobuild "$w" "$d.partial/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$ld"
  publish "$d"
}

# The upstream language host modules (sdk/nodejs/cmd/pulumi-language-nodejs/v3,
# sdk/python/cmd/pulumi-language-python/v3, sdk/go/pulumi-language-go/v3) are not
# served by the module proxy at any version, so build our own minimal host
# (scripts/toolchain/pulumi-language-host) against the CLI's pkg/v3 and sdk/v3,
# install it under all three names beside the CLI (where the CLI looks for language
# plugins first), and put the SDK's pulumi-language-python-exec script (shipped
# in the sdk/v3 module) beside it. Keyed by the host's source, so an edit to
# main.go rebuilds the host (about a minute warm), not the CLI.
language_hosts_key() { { echo "$PULUMI_VERSION"; cat "$TEMPLATES"/pulumi-language-host/*.go; } | sha256sum | cut -c1-16; }
check_language-hosts() {
  local b; b="$(pulumi_dir)/bin"
  [[ -x $b/pulumi-language-nodejs && -x $b/pulumi-language-python && -x $b/pulumi-language-go && -f $b/pulumi-language-python-exec &&
     "$(cat "$b/.language-hosts-key" 2>/dev/null)" == "$(language_hosts_key)" ]]
}
build_language-hosts() {
  local bindir w sdk; bindir="$(pulumi_dir)/bin"; w=$(fresh_work "pulumi-language-host-v$PULUMI_VERSION")
  [[ -x $bindir/pulumi ]] || die "build the pulumi CLI first (scripts/toolchain.sh pulumi)"
  cp "$TEMPLATES"/pulumi-language-host/*.go "$w/"
  cat >"$w/go.mod" <<MOD
module istio-egress-toolchain/pulumi-language-host

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
MOD
  rm -f "$bindir/.language-hosts-key"
  gobuild "$w" "$bindir/pulumi-language-nodejs.partial" . \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  mv "$bindir/pulumi-language-nodejs.partial" "$bindir/pulumi-language-nodejs"
  cp "$bindir/pulumi-language-nodejs" "$bindir/pulumi-language-python"
  cp "$bindir/pulumi-language-nodejs" "$bindir/pulumi-language-go"
  sdk=$(moddir "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION")
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$bindir/"
  language_hosts_key >"$bindir/.language-hosts-key"
}

# The YAML language host, from github.com/pulumi/pulumi-yaml (served by the
# proxy, unlike the Go host), beside the CLI where it looks for language plugins.
# It brings its own (older) pulumi sdk/pkg versions; the gRPC protocol is stable.
check_yaml() {
  local b; b="$(pulumi_dir)/bin"
  [[ -x $b/pulumi-language-yaml && "$(cat "$b/.yaml-host-version" 2>/dev/null)" == "$PULUMI_YAML_VERSION" ]]
}
build_yaml() {
  local bindir w; bindir="$(pulumi_dir)/bin"; w=$(fresh_work "pulumi-language-yaml-v$PULUMI_YAML_VERSION")
  [[ -d $bindir ]] || die "build the pulumi CLI first (scripts/toolchain.sh pulumi)"
  cat >"$w/go.mod" <<MOD
module istio-egress-toolchain/pulumi-language-yaml

go 1.26

require github.com/pulumi/pulumi-yaml v$PULUMI_YAML_VERSION
MOD
  rm -f "$bindir/.yaml-host-version"
  gobuild "$w" "$bindir/pulumi-language-yaml.partial" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml \
    "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$PULUMI_YAML_VERSION"
  mv "$bindir/pulumi-language-yaml.partial" "$bindir/pulumi-language-yaml"
  echo "$PULUMI_YAML_VERSION" >"$bindir/.yaml-host-version"
}

# ---------------------------------------------------------------------------
# 2. pulumi-resource-kubernetes
# ---------------------------------------------------------------------------
# The proxy has no tag for github.com/pulumi/pulumi-kubernetes/provider/v4
# (upstream tags only the repo root and sdk/); the only version it serves is
# the pseudo-version in K8S_PROVIDER_MODULE (main branch of 2026-01-15, the
# v4.24 era); sum.golang.org knows neither it nor the sdk/v4 versions
# (hence GONOSUMDB for github.com/pulumi/pulumi-kubernetes). It is
# built with version 4.32.0 stamped in, because the engine only loads the
# plugin version the npm SDK asks for.
kubernetes_dir() { echo "$CACHE/kubernetes-v$K8S_PROVIDER_VERSION"; }
# This plugin has no --version flag (it only serves gRPC): look for the
# version in the schema embedded into it.
check_kubernetes() {
  local b; b="$(kubernetes_dir)/bin/pulumi-resource-kubernetes"
  [[ -x $b ]] && grep -qaF "\"version\":\"$K8S_PROVIDER_VERSION\"" "$b"
}
build_kubernetes() {
  local d w src; d=$(kubernetes_dir); w=$(fresh_work "kubernetes-v$K8S_PROVIDER_VERSION")
  export GONOSUMDB=github.com/pulumi/pulumi-kubernetes
  src=$(moddir "github.com/pulumi/pulumi-kubernetes/provider/v4@$K8S_PROVIDER_MODULE")
  # The module zip lacks the git-ignored embed files: copy it somewhere
  # writable and generate them (the same as upstream's generate.go: the
  # schema with .version set, and the terraform mapping re-serialized).
  cp -r "$src" "$w/provider"; chmod -R u+w "$w/provider"
  local cmd="$w/provider/cmd/pulumi-resource-kubernetes"
  python3 - "$cmd" "$K8S_PROVIDER_VERSION" <<'PY'
import json, sys, os
d, version = sys.argv[1], sys.argv[2]
with open(os.path.join(d, "schema.json")) as f:
    schema = json.load(f)
schema["version"] = version
with open(os.path.join(d, "schema-embed.json"), "w") as f:
    json.dump(schema, f, separators=(",", ":"))
with open(os.path.join(d, "terraform-mapping.json")) as f:
    mapping = json.load(f)
with open(os.path.join(d, "terraform-mapping-embed.json"), "w") as f:
    json.dump(mapping, f, separators=(",", ":"))
PY
  # Its go.mod replaces sdk/v4 with ../sdk: drop that, so the sdk version it
  # requires (the published module of its era) is used.
  sed -i '\#^replace github.com/pulumi/pulumi-kubernetes/sdk/v4 => ../sdk#d' "$w/provider/go.mod"
  rm -rf "$d.partial"; mkdir -p "$d.partial/bin"
  gobuild "$w/provider" "$d.partial/bin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes \
    "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PROVIDER_VERSION"
  echo "github.com/pulumi/pulumi-kubernetes/provider/v4@$K8S_PROVIDER_MODULE stamped as $K8S_PROVIDER_VERSION" \
    >"$d.partial/SOURCE"
  publish "$d"
}

# ---------------------------------------------------------------------------
# 3. pulumi-resource-tls
# ---------------------------------------------------------------------------
# github.com/pulumi/pulumi-tls/provider/v5 is untagged upstream and the proxy
# serves no version of it at all. The plugin is a thin bridge over the
# Terraform TLS provider, so build that bridge ourselves
# (scripts/toolchain/pulumi-tls: the nested shim module, the token mapping,
# tfgen and the plugin main) from pulumi-terraform-bridge and the
# terraform-provider-tls pseudo-version the proxy does serve (sum.golang.org
# does not know it: GONOSUMDB), then generate the schema and bridge metadata
# with tfgen and embed them, stamped 5.5.1.
TLS_BRIDGE_VERSION=v3.100.0
TF_TLS_MODULE=v1.2.1-0.20260130152455-857b38cda3fc
tls_dir() { echo "$CACHE/tls-v$TLS_PROVIDER_VERSION"; }
check_tls() { [[ "$("$(tls_dir)/bin/pulumi-resource-tls" -version 2>/dev/null)" == "$TLS_PROVIDER_VERSION" ]]; }
build_tls() {
  local d w; d=$(tls_dir); w=$(fresh_work "tls-v$TLS_PROVIDER_VERSION")
  export GONOSUMDB=github.com/hashicorp/terraform-provider-tls
  cp -r "$TEMPLATES/pulumi-tls/." "$w/"
  cat >"$w/shim/go.mod" <<MOD
module github.com/hashicorp/terraform-provider-tls/shim

go 1.26

require github.com/hashicorp/terraform-provider-tls $TF_TLS_MODULE
MOD
  cat >"$w/go.mod" <<MOD
module istio-egress-toolchain/pulumi-tls

go 1.26

require (
	github.com/hashicorp/terraform-provider-tls/shim v0.0.0
	github.com/pulumi/pulumi-terraform-bridge/v3 $TLS_BRIDGE_VERSION
)

replace (
	github.com/hashicorp/terraform-provider-tls/shim => ./shim
	// the bridge's own replace (replaces in dependencies do not apply)
	github.com/hashicorp/terraform-plugin-sdk/v2 => github.com/pulumi/terraform-plugin-sdk/v2 v2.0.0-20240520223432-0c0bf0d65f10
)
MOD
  local out="$w/cmd/pulumi-resource-tls"
  local ld="-X istio-egress-toolchain/pulumi-tls.Version=$TLS_PROVIDER_VERSION"
  echo '{}' >"$out/bridge-metadata.json"
  gobuild "$w" "$w/pulumi-tfgen-tls" ./cmd/pulumi-tfgen-tls "$ld"
  (cd "$w" && PULUMI_SKIP_UPDATE_CHECK=true ./pulumi-tfgen-tls schema --out "$out")
  python3 - "$out" "$TLS_PROVIDER_VERSION" <<'PY'
import json, sys, os
d, version = sys.argv[1], sys.argv[2]
with open(os.path.join(d, "schema.json")) as f:
    schema = json.load(f)
schema["version"] = version
with open(os.path.join(d, "schema-embed.json"), "w") as f:
    json.dump(schema, f, separators=(",", ":"))
PY
  rm -rf "$d.partial"; mkdir -p "$d.partial/bin"
  gobuild "$w" "$d.partial/bin/pulumi-resource-tls" ./cmd/pulumi-resource-tls "$ld"
  cp "$out/schema.json" "$d.partial/schema.json"
  echo "pulumi-terraform-bridge/v3@$TLS_BRIDGE_VERSION + hashicorp/terraform-provider-tls@$TF_TLS_MODULE, stamped $TLS_PROVIDER_VERSION" \
    >"$d.partial/SOURCE"
  publish "$d"
}

# ---------------------------------------------------------------------------
# plugins: install the provider binaries into $CACHE/pulumi-home
# ---------------------------------------------------------------------------
plugin_installed() { # NAME VERSION
  [[ -x "$PULUMI_HOME_DIR/plugins/resource-$1-v$2/pulumi-resource-$1" ]] &&
    [[ ! -e "$PULUMI_HOME_DIR/plugins/resource-$1-v$2.partial" ]]
}
check_plugins() {
  plugin_installed kubernetes "$K8S_PROVIDER_VERSION" && plugin_installed tls "$TLS_PROVIDER_VERSION"
}
build_plugins() {
  local pulumi; pulumi="$(pulumi_dir)/bin/pulumi"
  [[ -x $pulumi ]] || { log "plugins: build pulumi first"; return 1; }
  mkdir -p "$PULUMI_HOME_DIR"
  local name ver bin missing=0
  for name in kubernetes tls; do
    if [[ $name == kubernetes ]]; then ver=$K8S_PROVIDER_VERSION; bin="$(kubernetes_dir)/bin/pulumi-resource-kubernetes"
    else ver=$TLS_PROVIDER_VERSION; bin="$(tls_dir)/bin/pulumi-resource-tls"; fi
    if [[ ! -x $bin ]]; then log "plugins: $name $ver is not built, not installed"; missing=1; continue; fi
    plugin_installed "$name" "$ver" && continue
    PULUMI_HOME="$PULUMI_HOME_DIR" PULUMI_SKIP_UPDATE_CHECK=true \
      "$pulumi" plugin install resource "$name" "v$ver" --file "$bin" --non-interactive
  done
  PULUMI_HOME="$PULUMI_HOME_DIR" PULUMI_SKIP_UPDATE_CHECK=true "$pulumi" plugin ls
  return "$missing"
}

# ---------------------------------------------------------------------------
# 4. kube-apiserver and kube-controller-manager (one k8s.io/kubernetes release)
# ---------------------------------------------------------------------------
# The controller manager runs only the namespace and garbage-collector
# controllers in the e2e harness, so deleting a Namespace really finishes.
kube-apiserver_dir() { echo "$CACHE/kube-apiserver-v$KUBE_VERSION"; }
kube-controller-manager_dir() { echo "$CACHE/kube-controller-manager-v$KUBE_VERSION"; }
kube_apiserver_dir() { kube-apiserver_dir; }
kube_controller_manager_dir() { kube-controller-manager_dir; }
check_kube_binary() { # NAME
  [[ "$(prints "$("$1_dir")/bin/$1" --version)" == "Kubernetes v$KUBE_VERSION" ]]
}
check_kube-apiserver() { check_kube_binary kube-apiserver; }
check_kube-controller-manager() { check_kube_binary kube-controller-manager; }
build_kube-apiserver() { build_kube_binary kube-apiserver; }
build_kube-controller-manager() { build_kube_binary kube-controller-manager; }
# build_kube_binary NAME: build k8s.io/kubernetes/cmd/NAME at KUBE_VERSION.
build_kube_binary() {
  local name=$1 d w; d=$("$name"_dir); w=$(fresh_work "$name-v$KUBE_VERSION")
  local minor=${KUBE_VERSION#1.}; minor=${minor%%.*}
  local staging="0.${KUBE_VERSION#1.}" mod
  mod="$GOMODCACHE/cache/download/k8s.io/kubernetes/@v/v$KUBE_VERSION.mod"
  (cd "$WORK" && go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" >/dev/null)
  # k8s.io/kubernetes replaces its staging modules with ./staging/src/...:
  # point each at the published module of the same release instead, and
  # keep its godebug line.
  {
    echo "module istio-egress-toolchain/$name"
    echo
    sed -n 's/^go \(.*\)/go \1/p' "$mod"
    sed -n '/^godebug/p' "$mod"
    echo
    echo "require k8s.io/kubernetes v$KUBE_VERSION"
    echo
    echo "replace ("
    sed -n 's#^\s*\(k8s.io/[^ ]*\) => ./staging/src/.*#\t\1 => \1 v'"$staging"'#p' "$mod"
    echo ")"
  } >"$w/go.mod"
  local pkg=k8s.io/component-base/version
  local ld="-X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  rm -rf "$d.partial"; mkdir -p "$d.partial/bin"
  gobuild "$w" "$d.partial/bin/$name" "k8s.io/kubernetes/cmd/$name" "$ld"
  publish "$d"
}

# ---------------------------------------------------------------------------
# 5. etcd
# ---------------------------------------------------------------------------
etcd_dir() { echo "$CACHE/etcd-v$ETCD_VERSION"; }
check_etcd() { [[ "$(prints "$(etcd_dir)/bin/etcd" --version)" == *"etcd Version: $ETCD_VERSION"* ]]; }
build_etcd() {
  local d w v=v$ETCD_VERSION; d=$(etcd_dir); w=$(fresh_work "etcd-$v")
  # server/v3's go.mod replaces its siblings with ../api etc.: require the
  # published siblings of the same release.
  cat >"$w/go.mod" <<MOD
module istio-egress-toolchain/etcd

go 1.26

require (
	go.etcd.io/etcd/server/v3 $v
	go.etcd.io/etcd/api/v3 $v
	go.etcd.io/etcd/client/pkg/v3 $v
	go.etcd.io/etcd/client/v3 $v
	go.etcd.io/etcd/pkg/v3 $v
)
MOD
  rm -rf "$d.partial"; mkdir -p "$d.partial/bin"
  gobuild "$w" "$d.partial/bin/etcd" go.etcd.io/etcd/server/v3 \
    "-X go.etcd.io/etcd/api/v3/version.GitSHA=$v"
  publish "$d"
}

# ---------------------------------------------------------------------------
# 6. istioctl
# ---------------------------------------------------------------------------
# istio.io/istio's release tags ("1.30.3") are not semver, so the proxy serves
# the module only as pseudo-versions, and answers no query for a tag, branch
# or commit: ISTIO_MODULE is the only one it serves (its @latest, the master
# branch of 2026-08-27, 1.31 era). Its go.mod pins pseudo-versions of
# istio.io/api, istio.io/client-go and go-control-plane that the proxy does
# not serve either: replace them with the nearest versions it does serve.
istioctl_dir() { echo "$CACHE/istioctl-$ISTIO_MODULE"; }
check_istioctl() { "$(istioctl_dir)/bin/istioctl" version --remote=false >/dev/null 2>&1; }
build_istioctl() {
  local d w; d=$(istioctl_dir); w=$(fresh_work "istioctl-$ISTIO_MODULE")
  cat >"$w/go.mod" <<MOD
module istio-egress-toolchain/istioctl

go 1.26

require istio.io/istio $ISTIO_MODULE

replace (
	istio.io/api => istio.io/api v1.31.1
	istio.io/client-go => istio.io/client-go v1.31.1
	github.com/envoyproxy/go-control-plane/envoy => github.com/envoyproxy/go-control-plane/envoy v1.40.0
	github.com/envoyproxy/go-control-plane/contrib => github.com/envoyproxy/go-control-plane/contrib v1.36.1-0.20260729145720-a2d8c7492908
)
MOD
  local pkg=istio.io/istio/pkg/version
  local ld="-X $pkg.buildVersion=$ISTIO_MODULE -X $pkg.buildGitRevision=${ISTIO_MODULE##*-}"
  ld+=" -X $pkg.buildTag=$ISTIO_MODULE -X $pkg.buildStatus=Clean"
  rm -rf "$d.partial"; mkdir -p "$d.partial/bin"
  gobuild "$w" "$d.partial/bin/istioctl" istio.io/istio/istioctl/cmd/istioctl "$ld"
  publish "$d"
}

# ---------------------------------------------------------------------------
# 7. helm (v3)
# ---------------------------------------------------------------------------
helm_dir() { echo "$CACHE/helm-v$HELM_VERSION"; }
check_helm() { [[ "$(prints "$(helm_dir)/bin/helm" version --short)" == "v$HELM_VERSION"* ]]; }
build_helm() {
  local d w; d=$(helm_dir); w=$(fresh_work "helm-v$HELM_VERSION")
  cat >"$w/go.mod" <<MOD
module istio-egress-toolchain/helm

go 1.26

require helm.sh/helm/v3 v$HELM_VERSION
MOD
  rm -rf "$d.partial"; mkdir -p "$d.partial/bin"
  gobuild "$w" "$d.partial/bin/helm" helm.sh/helm/v3/cmd/helm \
    "-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  publish "$d"
}

# ---------------------------------------------------------------------------
# env.sh
# ---------------------------------------------------------------------------
write_env() {
  local f="$CACHE/env.sh" path="" t dir
  for t in pulumi kube_apiserver kube_controller_manager etcd istioctl helm; do
    dir="$("${t}_dir")/bin"
    [[ -d $dir ]] && path+="$dir:"
  done
  cat >"$f.tmp" <<ENV
# Generated by scripts/toolchain.sh: source it to use the cached toolchain.
export ISTIO_EGRESS_TOOLCHAIN="$CACHE"
export PATH="${path}\$PATH"
export PULUMI_HOME="$PULUMI_HOME_DIR"
export PULUMI_BACKEND_URL="\${PULUMI_BACKEND_URL:-file://$CACHE/pulumi-state}"
export PULUMI_CONFIG_PASSPHRASE="\${PULUMI_CONFIG_PASSPHRASE:-}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
ENV
  mkdir -p "$CACHE/pulumi-state"
  mv "$f.tmp" "$f"
  log "wrote $f"
}

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
run_tool() {
  local t=$1 start=$SECONDS
  if "check_$t"; then
    log "$t: cached, skipped (${t} answers its version check)"
    return 0
  fi
  log "$t: building"
  # Run the build in a subshell with errexit in force (it would be ignored
  # inside an `if` condition), so the first failing command ends it.
  local rc
  set +e
  ( set -euo pipefail; "build_$t" )
  rc=$?
  set -e
  if ((rc == 0)); then
    if "check_$t"; then
      log "$t: built in $((SECONDS - start))s"
      return 0
    fi
    log "$t: built in $((SECONDS - start))s but its version check fails"
  fi
  log "FAILED: $t did not build (after $((SECONDS - start))s)"
  FAILED+=("$t")
  ((KEEP_GOING)) || { write_env; log "stopping at the first failure (use --keep-going to continue)"; exit 1; }
}

main() {
  local tools=() a
  for a in "$@"; do
    case $a in
      --keep-going) KEEP_GOING=1 ;;
      -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
      *) [[ " ${ALL_TOOLS[*]} " == *" $a "* ]] || die "unknown tool '$a' (known: ${ALL_TOOLS[*]})"
         tools+=("$a") ;;
    esac
  done
  ((${#tools[@]})) || tools=("${ALL_TOOLS[@]}")
  command -v go >/dev/null || die "go is not on PATH"
  mkdir -p "$CACHE" "$WORK" "$GOMODCACHE" "$GOCACHE"
  log "cache: $CACHE ($(go version))"
  for a in "${tools[@]}"; do run_tool "$a"; done
  write_env
  if ((${#FAILED[@]})); then
    log "done in $((SECONDS - START_ALL))s; FAILED: ${FAILED[*]}"
    exit 1
  fi
  log "done in $((SECONDS - START_ALL))s"
}

main "$@"; exit $?  # (one line: safe even if this file is edited while running)
