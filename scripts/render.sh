#!/usr/bin/env bash
# npm run render -- <stack> <dir> [--include-secrets] [--gateway-chart <dir>]: an example stack's
# objects as YAML files for GitOps (Argo CD, Flux), through the kubernetes provider's
# renderYamlToDirectory. Uses the toolchain's Pulumi CLI (built on first use, as the e2e does).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/toolchain.sh >&2
# shellcheck disable=SC1091
source "${ISTIO_EGRESS_TOOLCHAIN:-$HOME/.cache/istio-egress-toolchain}/env.sh"
npm run build >&2
exec node bin/render/main.js "$@"
