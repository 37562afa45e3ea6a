#!/usr/bin/env bash
# docs/results.md, "multimnist: loss weighting" and "scenes: loss weighting": single-task runs,
# hard sharing with six weighting methods and (MultiMNIST) MTSL with ew and cagrad, on onednn.
# Usage: [OUT=DIR] [EXAMPLE=multimnist|scenes] [SEEDS="1 2 3"] [METHODS="ew uw ..."]
#        [MTSL=1] [BEST=cagrad] scripts/weighting-results.sh
# MTSL=1 (the default for multimnist) also trains MTSL with ew and with BEST (default cagrad,
# the best of the six on MultiMNIST; uw on scenes), and one network per task with BEST
# (stl-BEST-seedN), the reference with the same weighting on both sides.
# Then: node bin/mtslc.js eval RUN --baseline OUT/stl-seedN --json (deltaM.value) per run.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/weighting}
EXAMPLE=${EXAMPLE:-multimnist}
SEEDS=${SEEDS:-1 2 3}
METHODS=${METHODS:-ew uw dwa pcgrad cagrad nash_mtl}
if [ "$EXAMPLE" = multimnist ]; then MTSL=${MTSL:-1}; else MTSL=${MTSL:-0}; fi
mkdir -p $OUT
make() { # method -> the example with `weighting: METHOD` first in its train block
  local m=$1 f=$OUT/$EXAMPLE-$1.mtsl
  sed "/^  train {/a\\    weighting: $m" examples/$EXAMPLE.mtsl > $f
  grep -q "weighting: $m" $f || { echo "no train block in examples/$EXAMPLE.mtsl" >&2; exit 1; }
  echo $f
}
train() { # file dir extra...
  local f=$1 d=$2; shift 2
  [ -f $d/final.json ] && return
  start=$(date +%s)
  node bin/mtslc.js train $f -o $d --backend onednn --force -q "$@" > $d.log 2>&1 || echo "FAILED $d"
  echo "$d $(( $(date +%s) - start )) s"
}
for s in $SEEDS; do train examples/$EXAMPLE.mtsl $OUT/stl-seed$s --baseline stl --seed $s; done
for m in $METHODS; do
  f=$(make $m) || exit 1
  for s in $SEEDS; do train $f $OUT/one-$m-seed$s --baseline one --seed $s; done
done
BEST=${BEST:-cagrad}
if [ "$MTSL" = 1 ]; then
  # MTSL with ew (the example) and with BEST; one network per task with BEST as its reference
  for s in $SEEDS; do train examples/$EXAMPLE.mtsl $OUT/mtsl-ew-seed$s --seed $s; done
  f=$(make $BEST) || exit 1
  for s in $SEEDS; do train $f $OUT/mtsl-$BEST-seed$s --seed $s; done
  for s in $SEEDS; do train $f $OUT/stl-$BEST-seed$s --baseline stl --seed $s; done
fi
echo TRAINED
