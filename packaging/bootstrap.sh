#!/usr/bin/env bash
# One-step set-up on a fresh machine: system libraries Qt needs, a virtual environment,
# the CPU build of torch first (a bare `torch` requirement pulls several GB of CUDA wheels),
# then Director with its test extras. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Sound playback (Qt Multimedia, PySide6 6.11): libQt6Multimedia links libpulse.so.0 (libpulse0) and its
# FFmpeg media plugin links libX11, libXext and libXrandr; PipeWire's client library is loaded when
# present (tried before PulseAudio) and is installed where the distribution has it. The sound server
# itself (PipeWire or PulseAudio) is the desktop's; without one the viewers play silent.
QT_LIBS="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libpulse0 libx11-6 libxext6 libxrandr2 \
libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1"
OPTIONAL_LIBS="libpipewire-0.3-0"
missing=""
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in $QT_LIBS; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
  done
  for pkg in $OPTIONAL_LIBS; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        && apt-cache show "$pkg" >/dev/null 2>&1; then
      missing="$missing $pkg"
    fi
  done
fi
if [ -n "$missing" ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "installing system libraries for Qt:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "Qt needs these system libraries; install them, then run this again:$missing" >&2
    exit 1
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -c "import torch" 2>/dev/null || .venv/bin/python -m pip install -q "torch==${TORCH_VERSION:-2.13.0}"
.venv/bin/python -m pip install -q -e ".[test,ray]"
echo "Director is installed in .venv"
