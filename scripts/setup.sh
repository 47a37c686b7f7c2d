#!/usr/bin/env bash
# Set up everything squatcheck needs on a fresh machine (Debian, Python 3.11, root or sudo).
# Idempotent: re-running only installs what is missing.
#   bash scripts/setup.sh          # Python environment in .venv
#   bash scripts/setup.sh --system # also Chromium and Xvfb (tests of the web page, report and live window)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--system" ]]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb)
  fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
  if (( ${#need[@]} )); then
    echo "setup: installing ${need[*]} (apt)"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
stamp=.venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)
if [[ ! -f $stamp ]]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -e ".[dev,web,batch]"
  rm -f .venv/.installed-*; touch "$stamp"
fi
