#!/usr/bin/env bash
# Install the built one-folder app for the current user (no root):
#   the app folder   -> ~/.local/opt/director/
#   the command      -> ~/.local/bin/director (a link)
#   the menu entry   -> ~/.local/share/applications/director.desktop
#   the icon         -> ~/.local/share/icons/hicolor/<size>/apps/director.png
#   the file type    -> ~/.local/share/mime/packages/director.xml (*.director opens in Director)
#
#   bash install.sh              # from inside the app folder (dist/director/) or packaging/
#   bash install.sh --uninstall
# PREFIX overrides ~/.local.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -x "$HERE/director" ]; then APP_SRC=$HERE; else APP_SRC=$(cd "$HERE/.." && pwd)/dist/director; fi
PREFIX=${PREFIX:-$HOME/.local}
DEST=$PREFIX/opt/director
SHARE=$PREFIX/share

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$DEST" "$PREFIX/bin/director" "$SHARE/applications/director.desktop" "$SHARE/mime/packages/director.xml"
  rm -f "$SHARE"/icons/hicolor/*/apps/director.png "$SHARE/icons/hicolor/scalable/apps/director.svg"
  command -v update-mime-database >/dev/null && update-mime-database "$SHARE/mime" || true
  command -v update-desktop-database >/dev/null && update-desktop-database "$SHARE/applications" || true
  echo "Director removed from $PREFIX"
  exit 0
fi

[ -x "$APP_SRC/director" ] || { echo "no built app at $APP_SRC; run packaging/build.sh first" >&2; exit 1; }
RES=$APP_SRC/_internal/resources
mkdir -p "$PREFIX/opt" "$PREFIX/bin" "$SHARE/applications" "$SHARE/mime/packages"
if [ "$APP_SRC" != "$DEST" ]; then
  rm -rf "$DEST.new" && cp -a "$APP_SRC" "$DEST.new" && rm -rf "$DEST" && mv "$DEST.new" "$DEST"
fi
ln -sfn "$DEST/director" "$PREFIX/bin/director"
# The menu entry names the installed executable, so it works without ~/.local/bin on PATH.
sed -e "s|^Exec=director|Exec=$DEST/director|" -e "s|^TryExec=director|TryExec=$DEST/director|" \
  "$RES/director.desktop" > "$SHARE/applications/director.desktop"
for png in "$RES"/icons/director-*.png; do
  size=$(basename "$png" .png); size=${size#director-}
  mkdir -p "$SHARE/icons/hicolor/${size}x${size}/apps"
  cp "$png" "$SHARE/icons/hicolor/${size}x${size}/apps/director.png"
done
mkdir -p "$SHARE/icons/hicolor/scalable/apps" && cp "$RES/director.svg" "$SHARE/icons/hicolor/scalable/apps/director.svg"
cp "$RES/director-mime.xml" "$SHARE/mime/packages/director.xml"
command -v update-mime-database >/dev/null && update-mime-database "$SHARE/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$SHARE/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
echo "Director installed in $DEST; run 'director' (with $PREFIX/bin on PATH) or pick it from the menu"
