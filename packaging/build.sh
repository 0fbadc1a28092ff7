#!/usr/bin/env bash
# Build Director as a one-folder desktop app with PyInstaller: dist/director/director
#
#   bash packaging/build.sh            # build venv (if missing) + app
#   bash packaging/build.sh --clean    # also throw away PyInstaller's cache and the old app
#
# Environment:
#   BUILD_VENV      where the build's own virtual environment lives (default packaging/build/venv);
#                   it is separate from the development .venv on purpose, so the app bundles
#                   exactly what the project declares and nothing a developer added by hand
#   PYTHON          the interpreter to build the venv from (default python3; needs libpython3.X.so,
#                   which Debian's python3 and pyenv's default builds have)
#   TORCH_VERSION   default 2.13.0; installed before anything else
#   TORCH_VARIANT   cpu (default) or a CUDA build such as cu128 for an NVIDIA GPU (packaging/README.md)
#   TORCH_INDEX_URL where that torch comes from when no local wheel is configured
#                   (default https://download.pytorch.org/whl/$TORCH_VARIANT)
#
# Safe to run again: an existing build venv is reused (pip only installs what changed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

CLEAN=""
for arg in "$@"; do
  case "$arg" in
    --clean) CLEAN="--clean" ;;
    *) echo "usage: $0 [--clean]" >&2; exit 2 ;;
  esac
done

BUILD_VENV=${BUILD_VENV:-$ROOT/packaging/build/venv}
PY=${PYTHON:-python3}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
TORCH_VARIANT=${TORCH_VARIANT:-cpu}
TORCH_INDEX_URL=${TORCH_INDEX_URL:-https://download.pytorch.org/whl/$TORCH_VARIANT}
PYINSTALLER_VERSION=${PYINSTALLER_VERSION:-6.22.3}

"$PY" - <<'PYCHECK'
import sys, sysconfig
if sys.version_info < (3, 11):
    sys.exit(f"Director needs Python >= 3.11, this is {sys.version.split()[0]}")
if sys.platform.startswith("linux") and not sysconfig.get_config_var("Py_ENABLE_SHARED"):
    sys.exit("PyInstaller needs a shared libpython; build Python with --enable-shared (pyenv: "
             "PYTHON_CONFIGURE_OPTS=--enable-shared) or use the distribution's python3")
PYCHECK

if [ ! -x "$BUILD_VENV/bin/python" ]; then
  echo "== creating the build venv in $BUILD_VENV"
  "$PY" -m venv "$BUILD_VENV"
fi
VPY="$BUILD_VENV/bin/python"
"$VPY" -m pip install -q --upgrade pip

# 1. torch, the CPU build, before anything else: a bare `torch` requirement pulls the CUDA build
#    (several GB of nvidia-* wheels) from PyPI on Linux.
if ! "$VPY" -c "import torch, sys; sys.exit(0 if torch.__version__ == '$TORCH_VERSION+$TORCH_VARIANT' else 1)" 2>/dev/null; then
  echo "== installing torch $TORCH_VERSION+$TORCH_VARIANT"
  # A wheel mirror or --find-links folder that already has the +cpu (+cuXXX) wheel wins (PyPI has
  # no such builds, so this fails fast there); otherwise the PyTorch index for the variant.
  "$VPY" -m pip install -q "torch==$TORCH_VERSION+$TORCH_VARIANT" 2>/dev/null \
    || "$VPY" -m pip install -q "torch==$TORCH_VERSION+$TORCH_VARIANT" --index-url "$TORCH_INDEX_URL"
fi
if [ "$TORCH_VARIANT" = cpu ] && "$VPY" -m pip list 2>/dev/null | grep -qi '^nvidia-'; then
  echo "note: nvidia-* wheels are installed in the build venv; the app will carry the CUDA runtime" >&2
fi

# 2. the project itself (not editable: PyInstaller then reads the installed copy and its metadata)
echo "== installing Director and PyInstaller"
"$VPY" -m pip install -q "$ROOT" "pyinstaller==$PYINSTALLER_VERSION"

# opencv-python (the project's requirement) carries Qt 5 for cv2.imshow and, on import, points
# QT_QPA_PLATFORM_PLUGIN_PATH at its Qt 5 plugins, which can stop the app's Qt 6 window from finding
# its platform plugin; Director only uses cv2 for resize/imread/putText. The headless build is the
# same cv2 without Qt 5 (and ~30 MB smaller), so the app bundles that instead.
if "$VPY" -m pip show -q opencv-python >/dev/null 2>&1; then
  CV_VERSION=$("$VPY" -c "import importlib.metadata as m; print(m.version('opencv-python'))")
  echo "== swapping opencv-python $CV_VERSION for opencv-python-headless $CV_VERSION"
  "$VPY" -m pip uninstall -q -y opencv-python
  "$VPY" -m pip install -q --force-reinstall --no-deps "opencv-python-headless==$CV_VERSION"
fi

# 3. the app
echo "== running PyInstaller (this takes a few minutes: torch is large)"
start=$(date +%s)
"$VPY" -m PyInstaller $CLEAN --noconfirm \
  --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" \
  "$ROOT/packaging/director.spec"
end=$(date +%s)

APP="$ROOT/dist/director"
echo "== built $APP in $((end - start)) s; size $(du -sh "$APP" | cut -f1)"
"$APP/director" --version
