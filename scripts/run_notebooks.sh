#!/usr/bin/env bash
# Re-run every lesson notebook in FULL mode and store its outputs in place (what
# `make notebooks` runs). Prints each notebook's wall time and fails if any fails.
#
#   bash scripts/run_notebooks.sh                      # every notebooks/[0-9]*.ipynb
#   bash scripts/run_notebooks.sh notebooks/01_*.ipynb # only some
#
# Execution uses nbclient's `jupyter execute` (nbclient is in requirements.txt);
# a cell that raises stops the notebook and fails the script.
set -uo pipefail
cd "$(dirname "$0")/.."
JUPYTER=.venv/bin/jupyter
TIMEOUT=3600   # seconds per cell

# Full mode: the stored outputs (and the run header's "Mode: full") come from this run.
unset GAN_COURSE_QUICK
# Do NOT force MPLBACKEND=Agg here: inside a kernel it replaces the inline backend and
# the stored notebooks would lose their figures.
unset MPLBACKEND
export PYTHONHASHSEED=0

if [ ! -x "$JUPYTER" ]; then
  echo "No $JUPYTER: run 'make venv' first." >&2
  exit 2
fi

shopt -s nullglob
if [ $# -gt 0 ]; then nbs=("$@"); else nbs=(notebooks/[0-9]*.ipynb); fi
if [ ${#nbs[@]} -eq 0 ]; then
  echo "No notebooks found under notebooks/."
  exit 0
fi

ledger=()
status=0
for nb in "${nbs[@]}"; do
  echo "== $nb (full mode)"
  start=$(date +%s)
  if $JUPYTER execute --inplace --timeout=$TIMEOUT "$nb"; then rc=0; else rc=$?; fi
  took=$(( $(date +%s) - start ))
  if [ $rc -eq 0 ]; then verdict=ok; else verdict="FAILED (rc=$rc)"; status=1; fi
  ledger+=("$(printf '%-40s %5d s  %s' "$nb" "$took" "$verdict")")
done

echo
echo "Notebook wall times (full mode, this machine):"
printf '  %s\n' "${ledger[@]}"
if [ $status -eq 0 ]; then
  echo "All notebooks ran; their outputs are stored. Check them with: .venv/bin/python -m pytest tests/test_notebooks.py"
else
  echo "Some notebooks FAILED (see above); a failed notebook is left as it was (nothing is written)."
fi
exit $status
