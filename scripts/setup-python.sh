#!/usr/bin/env bash
# Creates .venv with the pinned numpy, scikit-learn, joblib, pandas and lz4 the interop tests use.
# Idempotent: does nothing when .venv already matches tests/python/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
req=tests/python/requirements.txt
stamp=.venv/.requirements
if [[ -x .venv/bin/python ]] && [[ -f $stamp ]] && cmp -s "$req" "$stamp"; then
  exit 0
fi
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
echo "python venv ready: $(.venv/bin/python --version)"
