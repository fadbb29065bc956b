#!/bin/bash
# Runs Debian's Tempest (tempest.api.network, or a regex) against a PocketStack it starts itself on a
# temporary HOME, after creating the external network `public` Tempest's router and floating IP tests
# need. Needs: apt-get install tempest python3-openstackclient.
#
# Usage: npm run compat:tempest [-- REGEX|network|volume]   (default: ^tempest\.api\.network;
#        `volume` runs ^tempest\.api\.volume, the block storage suite)
# Env:   TEMPEST_CONCURRENCY (default 1), RESULTS_DIR (default ./tempest-results), TEMPEST_NOVA,
#        POCKETSTACK_DB (sqlite | postgres://…), KEEP=1 keeps the server's HOME for inspection.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REGEX=${1:-'^tempest\.api\.network'}
case "$REGEX" in
  network) REGEX='^tempest\.api\.network' ;;
  volume) REGEX='^tempest\.api\.volume' ;;
esac
CONCURRENCY=${TEMPEST_CONCURRENCY:-1}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/tempest-results}
command -v tempest >/dev/null || { echo "tempest is not installed (apt-get install tempest)"; exit 2; }
command -v openstack >/dev/null || { echo "openstack CLI is not installed (apt-get install python3-openstackclient)"; exit 2; }

WORK=$(mktemp -d /tmp/pocketstack-tempest.XXXXXX)
HOME_DIR=$WORK/home
export POCKETSTACK_ADMIN_PASSWORD=${POCKETSTACK_ADMIN_PASSWORD:-tempest-secret}
node --import tsx "$ROOT/src/cli/run.ts" up --home "$HOME_DIR" --port 0 --db "${POCKETSTACK_DB:-sqlite}" >"$WORK/server.out" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  [ -n "${WS_NAME:-}" ] && tempest workspace remove --name "$WS_NAME" >/dev/null 2>&1
  [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  grep -q 'PocketStack ready at' "$WORK/server.out" && break
  sleep 0.2
done
URL=$(sed -n 's/.*PocketStack ready at \(http[^ ]*\).*/\1/p' "$WORK/server.out" | head -1)
[ -n "$URL" ] || { cat "$WORK/server.out"; exit 1; }
echo "# PocketStack at $URL (HOME $HOME_DIR)"

export OS_CLIENT_CONFIG_FILE=$HOME_DIR/clouds.yaml OS_CLOUD=pocketstack
openstack network create --external --provider-network-type flat --provider-physical-network public public -f value -c id >"$WORK/public-id"
openstack subnet create --network public --subnet-range 203.0.113.0/24 --no-dhcp public-subnet -f value -c id >/dev/null
PUBLIC_NETWORK_ID=$(cat "$WORK/public-id")
EXTENSIONS=$(openstack extension list --network -f value -c Alias | sort | paste -sd, -)
CINDER=false
openstack catalog show volumev3 >/dev/null 2>&1 && CINDER=true
# Compute and images are on when served, except for network runs: with nova on, Tempest's network
# suite looks up hypervisors (os-hypervisors, not served), so it keeps the configuration it was
# measured with. TEMPEST_NOVA=true|false overrides.
NOVA=false GLANCE=false
openstack catalog show compute >/dev/null 2>&1 && NOVA=true
openstack catalog show image >/dev/null 2>&1 && GLANCE=true
case "$REGEX" in *network*|*neutron*) NOVA=false ;; esac
NOVA=${TEMPEST_NOVA:-$NOVA}
IMAGE_REF='' IMAGE_REF_ALT=''
if [ "$GLANCE" = true ]; then
  # Two small public raw images (image_ref, image_ref_alt): servers boot from them (simulated) and
  # volumes are created from them, so their bytes are real and not all zero.
  head -c 1048576 /dev/urandom >"$WORK/tiny.raw"
  IMAGE_REF=$(openstack image create --disk-format raw --container-format bare --public --file "$WORK/tiny.raw" tempest-tiny -f value -c id)
  IMAGE_REF_ALT=$(openstack image create --disk-format raw --container-format bare --public --file "$WORK/tiny.raw" tempest-tiny-alt -f value -c id)
fi

WORKSPACE=$WORK/workspace
# Tempest registers workspaces by name in ~/.tempest: a unique name per run, removed at exit.
WS_NAME=pocketstack-$(basename "$WORK")
tempest init --name "$WS_NAME" "$WORKSPACE" >/dev/null
mkdir -p "$WORKSPACE/logs" "$RESULTS_DIR"
sed -e "s|@WORKSPACE@|$WORKSPACE|" -e "s|@ADMIN_PASSWORD@|$POCKETSTACK_ADMIN_PASSWORD|" \
    -e "s|@KEYSTONE_URL@|$URL/identity/v3|" -e "s|@PUBLIC_NETWORK_ID@|$PUBLIC_NETWORK_ID|" \
    -e "s|@EXTENSIONS@|$EXTENSIONS|" -e "s|@CINDER@|$CINDER|" -e "s|@NOVA@|$NOVA|" -e "s|@GLANCE@|$GLANCE|" \
    -e "s|@IMAGE_REF@|$IMAGE_REF|" -e "s|@IMAGE_REF_ALT@|$IMAGE_REF_ALT|" \
    "$ROOT/tests/compat/tempest/tempest.conf.in" >"$WORKSPACE/etc/tempest.conf"

echo "# nova=$NOVA glance=$GLANCE image_ref=$IMAGE_REF"
echo "# tempest run --regex '$REGEX' --concurrency $CONCURRENCY"
rc=0
(cd "$WORKSPACE" && tempest run --regex "$REGEX" --concurrency "$CONCURRENCY") >"$RESULTS_DIR/run.log" 2>&1 || rc=$?
(cd "$WORKSPACE" && stestr last --subunit | subunit2csv 2>/dev/null) >"$RESULTS_DIR/results.csv" || true
(cd "$WORKSPACE" && stestr failing --list 2>/dev/null) >"$RESULTS_DIR/failing.txt" || true
# Both sides' logs, for reading a failure after the temporary HOME is gone.
# Tempest writes its log where it runs, whatever log_dir says.
for f in "$WORKSPACE/tempest.log" "$WORKSPACE/logs/tempest.log"; do [ -f "$f" ] && cp "$f" "$RESULTS_DIR/tempest.log"; done || true
cp "$HOME_DIR/pocketstack.log" "$RESULTS_DIR/pocketstack.log" 2>/dev/null || true
grep -A8 '^Totals' "$RESULTS_DIR/run.log" || tail -20 "$RESULTS_DIR/run.log"
echo "# log: $RESULTS_DIR/run.log; failing ids: $RESULTS_DIR/failing.txt"
exit $rc
