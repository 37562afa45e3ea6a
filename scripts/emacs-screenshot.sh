#!/usr/bin/env bash
# The Emacs pictures of docs/editor.md: Emacs 28 with eglot (Debian's emacs-gtk and elpa-eglot)
# driving `mtslc lsp --stdio` on examples/nyuv2.mtsl under Xvfb, captured with ImageMagick's
# `import`. Needs: apt-get install emacs-gtk elpa-eglot xvfb imagemagick fonts-dejavu-core,
# and `npm run build`. Writes docs/img/emacs-diagnostics.png (a task misspelt in the sharing
# row: flymake's list of the server's diagnostics) and docs/img/emacs-hover.png (the file as it
# is: the server's hover of dec1).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/bin"
printf '#!/bin/sh\nexec node %s/bin/mtslc.js "$@"\n' "$PWD" > "$work/bin/mtslc"
chmod +x "$work/bin/mtslc"
Xvfb :97 -screen 0 1200x800x24 >/dev/null 2>&1 &
sleep 2
shot() { # $1: the file's text, $2: output picture, $3: "hover" or ""
  cp "$1" "$work/nyuv2.mtsl"
  PATH="$work/bin:$PATH" DISPLAY=:97 MTSL_SHOT_HOVER="$3" timeout 40 \
    emacs -q -l scripts/emacs/init.el --geometry 140x48+0+0 "$work/nyuv2.mtsl" >/dev/null 2>&1 &
  local pid=$!
  sleep 16
  DISPLAY=:97 import -window root "$2"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
sed 's/{edge}/{egde}/' examples/nyuv2.mtsl > "$work/broken.mtsl"
shot "$work/broken.mtsl" docs/img/emacs-diagnostics.png ""
shot examples/nyuv2.mtsl docs/img/emacs-hover.png hover
echo "wrote docs/img/emacs-diagnostics.png and docs/img/emacs-hover.png"
