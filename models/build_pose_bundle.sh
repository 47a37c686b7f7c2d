#!/usr/bin/env bash
# Rebuild models/pose_landmarker_full.task in a throwaway venv (see build_pose_bundle.py).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
env_dir="$(mktemp -d)/mp01021"
python3.11 -m venv "$env_dir"
"$env_dir/bin/pip" install -q "mediapipe==0.10.21" "numpy<2"
"$env_dir/bin/python" "$here/build_pose_bundle.py" "${1:-$here/pose_landmarker_full.task}"
rm -rf "$(dirname "$env_dir")"
