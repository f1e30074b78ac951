#!/bin/bash
# Every run the README's numbers come from, into one directory (default readme-numbers/, git-ignored):
#   npm run readme-numbers [-- <out-dir>]
# The decision table and its variants (seeds 2 and 3 among them), the frozen server per kernel, the max_ratio sweep
# (and its plot), the mobility check, the fio table and each variant quoted beside it (large folios among them),
# the wb-bg-start runs of "A second published measurement", and scripts/readme-probes.mts. About 20 minutes on two
# cores; `npm run bench` (the Benchmarks section) is separate.
set -u
O=${1:-readme-numbers}
mkdir -p "$O"
F="node bin/fusewb.js"
fio() { local name=$1; shift; $F fio-table --json "$@" > "$O/fio-$name.json" 2>&1; }
(
  $F compare scenarios/bad-server.json > "$O/bad.txt" 2>&1
  $F compare scenarios/bad-server.json --json > "$O/bad.json" 2>&1
  for v in "fh615 machine.free_high=6.15" "pipe1M machine.sysctl.pipe_max_size=1M" "cpus2 machine.cpus=2" \
           "cpus32 machine.cpus=32" "mglru machine.lru=mglru"; do
    set -- $v
    $F compare scenarios/bad-server.json --json --set "$2" > "$O/bad-$1.json" 2>&1
  done
  $F proc scenarios/bad-server.json --policy legacy-copy > "$O/proc-legacy.txt" 2>&1
  $F proc scenarios/bad-server.json --policy legacy-copy --set machine.lru=mglru > "$O/proc-legacy-mglru.txt" 2>&1
  for k in "6.1 legacy-copy" "6.12 legacy-copy" "6.18 nocopy"; do
    set -- $k
    $F run scenarios/frozen-server.json --json --no-timing --set "machine.kernel=\"$1\"" --set "policy=$2" > "$O/frozen-$1.json" 2>&1
    $F run scenarios/frozen-server.json --json --no-timing --set "machine.kernel=\"$1\"" --set "policy=$2" --set machine.lru=mglru > "$O/frozen-$1-mglru.json" 2>&1
  done
  $F run scenarios/frozen-server.json --json --no-timing --set 'machine.kernel="6.12"' --set policy=legacy-copy --set workloads.0.fallocate=native > "$O/frozen-6.12-native.json" 2>&1
  for s in 2 3; do $F compare scenarios/bad-server.json --json --set run.seed=$s > "$O/bad-seed$s.json" 2>&1; done
  $F check scenarios/mobility-grouping.json > "$O/mobility.txt" 2>&1
  $F sweep scenarios/max-ratio-sweep.json --vary machine.bdi.max_ratio=1,2,3,4,5,6,7 --vary fuse.large_folios=true,false --table --plot docs/max-ratio-sweep.svg > "$O/sweep.txt" 2>&1
) &
(
  fio default
  fio k612 --set machine.kernel=6.12
  fio wbbg --set machine.bdi.wb_bg_start=true
  fio maxratio100 --set machine.bdi.max_ratio=100
  fio nostrict --set machine.bdi.strictlimit=false
  fio freeserver --set server.per_byte_ns=0
  fio threads10 --set server.threads=10
  fio nosplice --set server.splice=false
  for m in 32G 64G 128G; do fio "m$m" --set machine.memory=$m; done
  fio hz1000 --set machine.hz=1000
  fio hz1000-m32G --set machine.hz=1000 --set machine.memory=32G
  fio hz1000-m128G --set machine.hz=1000 --set machine.memory=128G
  fio lf --set fuse.large_folios=true
  # "A second published measurement": wb-bg-start.json per machine, with and without the patch, and on 6.16
  for m in 16G 32G 64G; do for w in false true; do
    $F run scenarios/wb-bg-start.json --json --no-timing --set machine.memory=$m --set machine.bdi.wb_bg_start=$w > "$O/wbbg-$m-$w.json" 2>&1
  done; done
  for w in false true; do
    $F run scenarios/wb-bg-start.json --json --no-timing --set machine.kernel=6.16 --set machine.bdi.wb_bg_start=$w > "$O/wbbg-616-$w.json" 2>&1
  done
  node --import tsx scripts/readme-probes.mts > "$O/probes.txt" 2>&1
) &
wait
echo "readme numbers in $O"
