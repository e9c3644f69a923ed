#!/usr/bin/env bash
# The end-to-end suite (npm run test:e2e): installs the Debian packages it needs, builds or
# reuses the toolchain (~/.cache/istio-egress-toolchain; cold ~42 min, warm seconds), then runs
# test/e2e with the real Pulumi CLI, providers, etcd, kube-apiserver, nginx and curl on loopback.
# Extra arguments go to mocha (e.g. -g s06).
set -euo pipefail
cd "$(dirname "$0")/.."

test -f ../shared/istio/crd-all.gen.yaml || { echo "e2e: ../shared/istio/crd-all.gen.yaml is missing (Istio's CRDs)"; exit 1; }
test -f ../shared/gateway-api/crds-standard.yaml || { echo "e2e: ../shared/gateway-api/crds-standard.yaml is missing (the Gateway API CRDs)"; exit 1; }
scripts/system-packages.sh
scripts/toolchain.sh
# shellcheck disable=SC1091
source "${ISTIO_EGRESS_TOOLCHAIN:-$HOME/.cache/istio-egress-toolchain}/env.sh"
npm run build
# The objects the simulation suite is fed: the e2e checks the API server holds exactly these.
node bin/test/xds/render.js out/xds
# The validation promise, larger than in npm test, with every SNI proxy config through nginx -t,
# and a sample of the accepted configurations through Istio's config generator and analyzer.
PROPERTY_RUNS=1000 PROPERTY_SEED=1201 PROPERTY_NGINX_T=1 PROPERTY_SAMPLE_DIR=out/xds-generated \
  npx mocha --config .mocharc.json -g "by property"
XDS_GENERATED="$PWD/out/xds-generated" scripts/xds.sh -run TestGeneratedConfigurations
# Every example stack through the upgrade from the older revision (~3 min; a list narrows it).
export UPGRADE_STACKS="${UPGRADE_STACKS:-all}"
exec npx mocha --config .mocharc.e2e.json "$@"
