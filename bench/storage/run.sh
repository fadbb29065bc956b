#!/usr/bin/env bash
# bench/storage/run.sh — PocketStack block storage benchmarks, standalone.
#
# 1. fio battery (fio's nbd engine) against a PocketStack NBD export of a LocalVolumeDriver volume and
#    against qemu-nbd on a raw file, both filled with random data. The two targets run test by test,
#    alternately (which goes first flips every round), for BENCH_ROUNDS rounds; we print the median
#    IOPS of each side and the median of the per-round ratios, so one noisy moment cannot decide.
# 2. Snapshot chain depth: one server process, one store, three exports: chain10 (written whole, then
#    10 times: snapshot, overwrite a tenth in random pieces), fresh (a new volume with chain10's bytes)
#    and chain1. Reads fresh vs chain10, then writes (chains re-armed before every round so random
#    writes meet copy-on-write each round), interleaved test by test, BENCH_CHAIN_ROUNDS short rounds.
# 3. Snapshot/clone/revert time of a 1 GiB vs a 100 GiB volume.
#
# Needs: node (>= 20), fio with the nbd engine, qemu-nbd (qemu-utils), python3.
# Knobs: BENCH_SIZE (bytes, default 1 GiB), BENCH_RUNTIME (s per test, default 4), BENCH_RAMP (default 1),
#        BENCH_ROUNDS (default 3), BENCH_SECTIONS (default "1 2 3"), SYNC_IO_MAX (store option, bytes),
#        BENCH_CHAIN_ROUNDS / BENCH_CHAIN_RUNTIME / BENCH_CHAIN_RAMP (section 2: default 12, 3 s, 1 s;
#        12 is a multiple of 2 and 3, so each target goes first equally often: the first target of a
#        round can measure lower, which an odd count would lean on),
#        BENCH_CHAIN_WARM (section 2: rotations before the write rounds, default 0; each re-arms the
#        chains and overwrites them whole in 64 KiB writes, unmeasured, so that the snapshots the
#        rounds delete hold whole rewrites: the steady state of a rotation, where the store has
#        stopped growing and copy-on-write reuses freed space; 10 = the chain's depth),
#        BENCH_KEEP (file to copy section 2's raw per-run results to), BENCH_SYNC (default 1: run
#        `sync` before every test, so no test pays for the previous one's dirty pages),
#        BENCH_DIR (scratch directory on the disk to test, default a fresh dir in $TMPDIR),
#        BENCH_DEFRAG_IDLE_MS (the store's background defragmenter: idle delay in ms, 0 = off;
#        default the store's. Section 2's reads start once it has caught up with the build).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
SIZE=${BENCH_SIZE:-1073741824}
RUNTIME=${BENCH_RUNTIME:-4}
RAMP=${BENCH_RAMP:-1}
ROUNDS=${BENCH_ROUNDS:-3}
CHAIN_ROUNDS=${BENCH_CHAIN_ROUNDS:-12}
CHAIN_RUNTIME=${BENCH_CHAIN_RUNTIME:-3}
CHAIN_RAMP=${BENCH_CHAIN_RAMP:-1}
CHAIN_WARM=${BENCH_CHAIN_WARM:-0}
SYNC_BETWEEN=${BENCH_SYNC:-1}
SECTIONS=${BENCH_SECTIONS:-1 2 3}
[ -n "${BENCH_DEFRAG_IDLE_MS:-}" ] && export DEFRAG_IDLE_MS=$BENCH_DEFRAG_IDLE_MS
die() { echo "error: $*" >&2; exit 2; }
for t in node fio qemu-nbd python3; do command -v $t >/dev/null || die "$t not found (apt-get install -y fio qemu-utils)"; done
fio --enghelp=nbd >/dev/null 2>&1 || die "this fio has no nbd engine"

work=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ps-bench.XXXXXX")}
mkdir -p "$work"
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; pids=(); }
cleanup() { stop_all; rm -rf "$work"; }
trap cleanup EXIT

# one_test URI NAME: runs one fio test against URI, prints "iops p50_us p99_us"
one_test() {
  local uri=$1 name=$2 rw bs
  case $name in
    randread_4k_qd*) rw=randread; bs=4k ;; randwrite_4k_qd*) rw=randwrite; bs=4k ;;
    seqread_1m_qd*) rw=read; bs=1m ;; seqwrite_1m_qd*) rw=write; bs=1m ;;
  esac
  fio --output-format=json --output="$work/fio.json" --name="$name" --ioengine=nbd --uri="$uri" --size="$SIZE" \
    --time_based=1 --runtime="$RUNTIME" --ramp_time="$RAMP" --norandommap=1 --randrepeat=1 \
    --lat_percentiles=1 --clat_percentiles=0 --percentile_list=50:99 \
    --rw=$rw --bs=$bs --iodepth="${name##*_qd}" >/dev/null 2>"$work/fio.err" || { cat "$work/fio.err" >&2; return 1; }
  python3 - "$work/fio.json" <<'PY'
import json, sys
raw = open(sys.argv[1]).read(); doc = json.loads(raw[raw.find("{"):])
j = doc["jobs"][0]
s = j["write" if "write" in j["job options"]["rw"] else "read"]
p = s.get("lat_ns", {}).get("percentile", {})
print(f"{s['iops']:.0f} {p.get('50.000000',0)/1000:.0f} {p.get('99.000000',0)/1000:.0f}")
PY
}

serve_pocketstack() { # serve_pocketstack DIR SOCK DEPTH  (sets $last_pid)
  node --import tsx "$repo/bench/storage/serve.ts" "$1" "$2" "$SIZE" "$3" > "$1.out" &
  last_pid=$!; pids+=($last_pid)
  for _ in $(seq 1200); do grep -q READY "$1.out" 2>/dev/null && return 0; sleep 0.1; done
  die "PocketStack NBD server did not start"
}

fill() { # fill URI BS: writes the whole target once, sequentially, in BS writes of random data
  fio --name=fill --ioengine=nbd --uri="$1" --size="$SIZE" --rw=write --bs="$2" --iodepth=8 --refill_buffers=1 \
    >/dev/null 2>"$work/fio.err" || { cat "$work/fio.err" >&2; exit 1; }
}

rearm() { # rearm PID OUTFILE: asks a chain server to re-arm and waits until it did
  local want=$(( $(grep -c REARMED "$2" || true) + 1 ))
  kill -USR2 "$1"
  for _ in $(seq 600); do [ "$(grep -c REARMED "$2" || true)" -ge "$want" ] && return 0; sleep 0.1; done
  die "re-arm timed out"
}

# interleave RESULTS TESTS -- LABEL=URI... : for each round, each test, every target (order rotating)
interleave() {
  local out=$1 tests=$2; shift 3
  local targets=("$@") n=${#targets[@]}
  for r in $(seq "$ROUNDS"); do
    [ -n "${REARM:-}" ] && eval "$REARM"
    for t in $tests; do
      for k in $(seq 0 $((n - 1))); do
        local spec=${targets[$(( (k + r) % n ))]}
        # Start every test with no dirty pages left by the previous one (copy-on-write leaves GBs):
        # otherwise the next target pays for the previous one's writeback.
        [ "$SYNC_BETWEEN" = 1 ] && sync
        echo "${spec%%=*} $t $r $(one_test "${spec#*=}" "$t")" >> "$out"
      done
    done
  done
}

# summary RESULTS BASE OTHER...: median IOPS per target, median of per-round ratios OTHER/BASE
summary() {
  python3 - "$@" <<'PY'
import sys, statistics as st
path, base, *others = sys.argv[1:]
rows = [l.split() for l in open(path)]
data = {}
for label, test, rnd, iops, p50, p99 in rows:
    data.setdefault((label, test), {})[rnd] = (float(iops), float(p50))
tests = list(dict.fromkeys(r[1] for r in rows))
for o in others:
    print(f"{o} vs {base}: median IOPS (p50 latency us), median of per-round ratios [each round]")
    for t in tests:
        b, x = data.get((base, t), {}), data.get((o, t), {})
        if not b or not x: continue
        ratios = [x[r][0] / b[r][0] for r in sorted(b) if r in x and b[r][0] > 0]
        mb = st.median(v[0] for v in b.values()); mx = st.median(v[0] for v in x.values())
        lb = st.median(v[1] for v in b.values()); lx = st.median(v[1] for v in x.values())
        if not ratios: continue
        q = st.quantiles(ratios, n=4) if len(ratios) >= 4 else [min(ratios), 0, max(ratios)]
        print(f"  {t:20s} {base}={mb:7.0f} ({lb:5.0f}us)  {o}={mx:7.0f} ({lx:5.0f}us)  "
              f"ratio={st.median(ratios):.2f} IQR={q[0]:.2f}-{q[2]:.2f} range={min(ratios):.2f}-{max(ratios):.2f} "
              f"[{' '.join(f'{v:.2f}' for v in ratios)}]")
PY
}

echo "# conditions: $(nproc) cores, size=$SIZE runtime=${RUNTIME}s ramp=${RAMP}s rounds=$ROUNDS sync_io_max=${SYNC_IO_MAX:-default} load=$(cut -d' ' -f1-3 /proc/loadavg)"
ALL="randread_4k_qd1 randread_4k_qd32 randwrite_4k_qd1 randwrite_4k_qd32 seqread_1m_qd8 seqwrite_1m_qd8"

if [[ " $SECTIONS " == *" 1 "* ]]; then
  echo "# 1. qemu-nbd (raw file) vs PocketStack (LocalVolumeDriver), interleaved"
  # Both sides start empty and are filled the same way, through NBD by fio (sequential 1 MiB writes
  # of random data): the first write's size sets the page-cache folio size, which the cost of later
  # 4 KiB overwrites depends on (kernel 6.x: ~3 us after 64 KiB writes, ~25 us after 4 MiB ones).
  truncate -s "$SIZE" "$work/peer.raw"
  qemu-nbd -t -f raw -x peer -k "$work/peer.sock" "$work/peer.raw" & pids+=($!)
  NO_FILL=1 serve_pocketstack "$work/store0" "$work/ps0.sock" 0
  for _ in $(seq 50); do [ -S "$work/peer.sock" ] && break; sleep 0.1; done
  for uri in "nbd+unix:///peer?socket=$work/peer.sock" "nbd+unix:///bench?socket=$work/ps0.sock"; do
    fill "$uri" 1m
  done
  interleave "$work/s1.txt" "$ALL" -- "qemu=nbd+unix:///peer?socket=$work/peer.sock" "ps=nbd+unix:///bench?socket=$work/ps0.sock"
  summary "$work/s1.txt" qemu ps
  stop_all
  rm -f "$work/peer.raw"; rm -rf "$work/store0"
fi

if [[ " $SECTIONS " == *" 2 "* ]]; then
  echo
  echo "# 2. snapshot chain depth: fresh vs chain10 (same bytes) vs chain1, one server process, interleaved"
  # Short tests and many rounds: each round's ratio compares runs seconds apart, the median of the
  # rounds resists the load spikes of a shared machine, and the range shows what a single run is worth.
  # Reads first (no state changes); then writes, the chains re-armed before every round (see serve.ts).
  ROUNDS=$CHAIN_ROUNDS RUNTIME=$CHAIN_RUNTIME RAMP=$CHAIN_RAMP
  echo "# chain rounds=$ROUNDS runtime=${RUNTIME}s ramp=${RAMP}s"
  serve_pocketstack "$work/storeC" "$work/psC.sock" chains; pc=$last_pid
  grep -E '^(built|defragmenter)' "$work/storeC.out" | sed 's/^/# /'
  uri() { echo "$1=nbd+unix:///$1?socket=$work/psC.sock"; }
  interleave "$work/s2r.txt" "randread_4k_qd32 seqread_1m_qd8" -- "$(uri fresh)" "$(uri chain10)"
  REARM="rearm $pc $work/storeC.out"
  if [ "$CHAIN_WARM" -gt 0 ]; then
    echo "# warm-up: $CHAIN_WARM rotations (re-arm, overwrite chain10 and chain1 whole), unmeasured"
    for _ in $(seq "$CHAIN_WARM"); do
      eval "$REARM"
      for t in chain10 chain1; do
        # 64 KiB writes, as the fresh volume was filled: the first write into new file space sets the
        # page-cache folio size, and a 4 KiB overwrite into a 1 MiB folio costs ~2x one into 64 KiB.
        fill "nbd+unix:///$t?socket=$work/psC.sock" 64k
      done
    done
  fi
  interleave "$work/s2w.txt" "randwrite_4k_qd32 seqwrite_1m_qd8" -- "$(uri fresh)" "$(uri chain10)" "$(uri chain1)"
  REARM=
  cat "$work/s2r.txt" "$work/s2w.txt" > "$work/s2.txt"
  summary "$work/s2.txt" fresh chain10
  summary "$work/s2w.txt" chain1 chain10
  echo "# background defragmenter (after the build and during the rounds): $(grep -c '^defrag:' "$work/storeC.out" || true) runs, $(awk '/^defrag:/ {n += $3} END {print n + 0}' "$work/storeC.out") extents moved"
  [ -n "${BENCH_KEEP:-}" ] && cp "$work/s2.txt" "$BENCH_KEEP"
  stop_all
fi

if [[ " $SECTIONS " == *" 3 "* ]]; then
  echo
  echo "# 3. snapshot / clone / revert time, 1 GiB vs 100 GiB"
  node --import tsx "$repo/bench/storage/snapshot-micro.ts" "$work/micro"
fi
