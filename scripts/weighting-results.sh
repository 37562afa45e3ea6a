#!/usr/bin/env bash
# docs/results.md, "multimnist: loss weighting": single-task runs, hard sharing with six
# weighting methods and MTSL with ew and cagrad, seeds 1-3, on onednn. Usage: [OUT=DIR] scripts/weighting-results.sh
# Then: node bin/mtslc.js eval RUN --baseline OUT/stl-seedN --json (deltaM.value) per run.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/weighting}
mkdir -p $OUT
make() { # method -> file with that weighting
  local m=$1 f=$OUT/multimnist-$1.mtsl
  sed "s/^    epochs: 8/    weighting: $m\n    epochs: 8/" examples/multimnist.mtsl > $f
  echo $f
}
train() { # file dir extra...
  local f=$1 d=$2; shift 2
  [ -f $d/final.json ] && return
  start=$(date +%s)
  node bin/mtslc.js train $f -o $d --backend onednn --force -q "$@" > $d.log 2>&1 || echo "FAILED $d"
  echo "$d $(( $(date +%s) - start )) s"
}
for s in 1 2 3; do train examples/multimnist.mtsl $OUT/stl-seed$s --baseline stl --seed $s; done
for m in ew uw dwa pcgrad cagrad nash_mtl; do
  f=$(make $m)
  for s in 1 2 3; do train $f $OUT/one-$m-seed$s --baseline one --seed $s; done
done
# MTSL with ew (the example) and with cagrad, the best of the six by mean Delta_m here
for s in 1 2 3; do train examples/multimnist.mtsl $OUT/mtsl-ew-seed$s --seed $s; done
for s in 1 2 3; do train $OUT/multimnist-cagrad.mtsl $OUT/mtsl-cagrad-seed$s --seed $s; done
echo TRAINED
