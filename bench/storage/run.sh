#!/usr/bin/env bash
# bench/storage/run.sh — PocketStack block storage benchmarks, standalone.
#
# 1. fio battery (fio's nbd engine) against a PocketStack NBD export of a LocalVolumeDriver volume and
#    against qemu-nbd on a raw file, in the same run, both filled with random data; prints ratios.
# 2. A 10-deep snapshot chain vs a fresh volume (and a 1-deep one), same battery subset.
# 3. Snapshot/clone/revert time of a 1 GiB vs a 100 GiB volume.
#
# Needs: node (>= 20), fio with the nbd engine, qemu-nbd (qemu-utils), python3.
# Knobs: BENCH_SIZE (bytes, default 1 GiB), BENCH_RUNTIME (s per test, default 4), BENCH_RAMP (default 1),
#        BENCH_DIR (scratch directory on the disk to test, default a fresh dir in $TMPDIR).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
SIZE=${BENCH_SIZE:-1073741824}
RUNTIME=${BENCH_RUNTIME:-4}
RAMP=${BENCH_RAMP:-1}
die() { echo "error: $*" >&2; exit 2; }
for t in node fio qemu-nbd python3; do command -v $t >/dev/null || die "$t not found (apt-get install -y fio qemu-utils)"; done
fio --enghelp=nbd >/dev/null 2>&1 || die "this fio has no nbd engine"

work=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ps-bench.XXXXXX")}
mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# battery URI NAME... : runs the named tests against URI, prints "test=<name> iops=<n> mbps=<n> p50=<us> p99=<us>"
battery() {
  local uri=$1; shift
  local job=$work/job.fio
  {
    printf '[global]\nioengine=nbd\nuri=%s\nsize=%s\ntime_based=1\nruntime=%s\nramp_time=%s\n' "$uri" "$SIZE" "$RUNTIME" "$RAMP"
    printf 'norandommap=1\nrandrepeat=1\nlat_percentiles=1\nclat_percentiles=0\npercentile_list=50:99\n'
    for name in "$@"; do
      case $name in
        randread_4k_qd*) rw=randread; bs=4k ;; randwrite_4k_qd*) rw=randwrite; bs=4k ;;
        seqread_1m_qd*) rw=read; bs=1m ;; seqwrite_1m_qd*) rw=write; bs=1m ;;
      esac
      printf '\n[%s]\nstonewall\nrw=%s\nbs=%s\niodepth=%s\n' "$name" "$rw" "$bs" "${name##*_qd}"
    done
  } > "$job"
  fio --output-format=json --output="$work/fio.json" "$job" >/dev/null 2>"$work/fio.err" || { cat "$work/fio.err" >&2; return 1; }
  python3 - "$work/fio.json" <<'PY'
import json, sys
raw = open(sys.argv[1]).read(); doc = json.loads(raw[raw.find("{"):])
for j in doc["jobs"]:
    s = j["write" if "write" in j["job options"]["rw"] else "read"]
    p = s.get("lat_ns", {}).get("percentile", {})
    print(f"test={j['jobname']} iops={s['iops']:.0f} mbps={s['bw_bytes']/1048576:.1f} "
          f"p50={p.get('50.000000',0)/1000:.0f} p99={p.get('99.000000',0)/1000:.0f}")
PY
}

serve_pocketstack() { # serve_pocketstack DIR SOCK DEPTH
  node --import tsx "$repo/bench/storage/serve.ts" "$1" "$2" "$SIZE" "$3" > "$work/serve.$3.out" &
  pids+=($!)
  for _ in $(seq 1200); do grep -q READY "$work/serve.$3.out" 2>/dev/null && return 0; sleep 0.1; done
  die "PocketStack NBD server did not start"
}

ALL="randread_4k_qd1 randread_4k_qd32 randwrite_4k_qd1 randwrite_4k_qd32 seqread_1m_qd8 seqwrite_1m_qd8"

echo "# 1. qemu-nbd (raw file) vs PocketStack (LocalVolumeDriver) — size=$SIZE runtime=${RUNTIME}s"
head -c "$SIZE" /dev/urandom > "$work/peer.raw"
qemu-nbd -t -f raw -x peer -k "$work/peer.sock" "$work/peer.raw" & pids+=($!)
serve_pocketstack "$work/store0" "$work/ps0.sock" 0
for _ in $(seq 50); do [ -S "$work/peer.sock" ] && break; sleep 0.1; done
battery "nbd+unix:///peer?socket=$work/peer.sock" $ALL > "$work/qemu.txt"
battery "nbd+unix:///bench?socket=$work/ps0.sock" $ALL > "$work/ps.txt"
join_ratio() { # FILE_A FILE_B LABEL_A LABEL_B
  awk -v la="$3" -v lb="$4" 'NR==FNR { split($2,a,"="); q[$1]=a[2]; next }
    { split($2,b,"="); r = (q[$1] > 0) ? b[2] / q[$1] : 0
      printf "%-28s %s_iops=%-7s %s_iops=%-7s ratio=%.2f  (%s %s)\n", $1, la, q[$1], lb, b[2], r, $3, $4 }' "$1" "$2"
}
join_ratio "$work/qemu.txt" "$work/ps.txt" qemu ps
kill "${pids[0]}" "${pids[1]}" 2>/dev/null || true

echo
echo "# 2. snapshot chain depth: fresh vs 1-deep vs 10-deep (same PocketStack server code)"
CHAIN="randread_4k_qd32 randwrite_4k_qd32 seqread_1m_qd8"
serve_pocketstack "$work/storeF" "$work/psF.sock" 0
battery "nbd+unix:///bench?socket=$work/psF.sock" $CHAIN > "$work/fresh.txt"
serve_pocketstack "$work/store1" "$work/ps1.sock" 1
battery "nbd+unix:///bench?socket=$work/ps1.sock" $CHAIN > "$work/chain1.txt"
serve_pocketstack "$work/store10" "$work/ps10.sock" 10
battery "nbd+unix:///bench?socket=$work/ps10.sock" $CHAIN > "$work/chain10.txt"
echo "fresh vs 10-deep:"; join_ratio "$work/fresh.txt" "$work/chain10.txt" fresh chain10
echo "1-deep vs 10-deep:"; join_ratio "$work/chain1.txt" "$work/chain10.txt" chain1 chain10

echo
echo "# 3. snapshot / clone / revert time, 1 GiB vs 100 GiB"
node --import tsx "$repo/bench/storage/snapshot-micro.ts" "$work/micro"
