#!/usr/bin/env bash
# The wheels bench/gpu_report.py needs on the device machine that its image lacks (its python3 is
# CPython 3.12 with torch, transformers, accelerate, safetensors, numpy, pillow, opencv and
# nvidia-ml-py; nothing can be fetched there). About 41 MB: with the repository (about 6 MB) it
# stays under what travels to that machine (64 MiB). PySide6 is far larger, so the report's UI part
# says it did not run there.
#
#   bash bench/device_wheels.sh              # here, once: fills .whl/ (ignored by git)
#   then on the device, with carry [".whl"]:
#   python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
#     && export PYTHONPATH=/tmp/site && python3 bench/gpu_report.py --out $OUT/gpu_report.json
set -euo pipefail
cd "$(dirname "$0")/.."
exclude="$(git rev-parse --git-path info/exclude)"
mkdir -p "$(dirname "$exclude")"
grep -qx '/.whl/' "$exclude" 2>/dev/null || echo '/.whl/' >> "$exclude"
mkdir -p .whl
python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl \
  diffusers==0.42.1 sqlite-utils==4.2.1 sqlite-fts4==1.0.3 click-default-group==1.2.4 av==18.1.0
du -sh .whl
