#!/usr/bin/env bash
# Trains every example of docs/results.md: MTSL, the single-task baseline (stl) and
# hard sharing (one) for three seeds, JOBS runs at a time (default 2 on wasm, whose runs use
# one core each, else 1), then evaluates each MTSL and hard-sharing run against its seed's
# single-task baseline.
# Usage: [SEEDS="1 2 3"] [LIMIT=300] [BACKEND=wasm] [JOBS=N] scripts/results.sh [EXAMPLE|FILE.mtsl ...]
# (default: multimnist and scenes; an EXAMPLE is examples/EXAMPLE.mtsl, a FILE names its
# runs by its base name; LIMIT = test images evaluated under corruptions).
set -uo pipefail
cd "$(dirname "$0")/.."
BACKEND=${BACKEND:-wasm}
OUT=${OUT:-runs/results}
LIMIT=${LIMIT:-300}
EXAMPLES=${*:-multimnist scenes}
SEEDS=${SEEDS:-1 2 3}
if [ "$BACKEND" = wasm ]; then JOBS=${JOBS:-2}; else JOBS=${JOBS:-1}; fi
jobs=()
for ex in $EXAMPLES; do
  for seed in $SEEDS; do
    for kind in mtsl stl one; do
      jobs+=("$ex $seed $kind")
    done
  done
done
train() {
  read -r ex seed kind <<<"$1"
  file="examples/$ex.mtsl"
  case "$ex" in *.mtsl) file="$ex"; ex=$(basename "$ex" .mtsl) ;; esac
  dir="$OUT/$ex-$kind-seed$seed"
  base=()
  [ "$kind" != mtsl ] && base=(--baseline "$kind")
  if [ -f "$dir/final.json" ]; then echo "skip $dir (done)"; return; fi
  # an interrupted run continues; a folder without a checkpoint is started afresh
  if [ -f "$dir/checkpoint.ckpt" ]; then base+=(--resume); elif [ -d "$dir" ]; then base+=(--force); fi
  start=$(date +%s)
  node --import tsx cli/main.ts train "$file" -o "$dir" --seed "$seed" --backend "$BACKEND" "${base[@]}" -q \
    > "$dir.log" 2>&1 || { echo "FAILED $dir (see $dir.log)"; return; }
  echo "$dir $(( $(date +%s) - start )) s"
}
export -f train
export OUT BACKEND
mkdir -p "$OUT"
printf '%s\n' "${jobs[@]}" | xargs -P "$JOBS" -I{} bash -c 'train "{}"'
for ex in $EXAMPLES; do
  case "$ex" in *.mtsl) ex=$(basename "$ex" .mtsl) ;; esac
  for seed in $SEEDS; do
    for kind in mtsl one stl; do
      dir="$OUT/$ex-$kind-seed$seed"
      [ -f "$dir/final.json" ] || continue
      node --import tsx cli/main.ts eval "$dir" --baseline "$OUT/$ex-stl-seed$seed" --corruptions --severities 1,3,5 --limit "$LIMIT" \
        --backend "$BACKEND" --quiet > "$dir/eval.log" 2>&1 || echo "eval FAILED $dir"
    done
  done
done
