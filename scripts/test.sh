#!/usr/bin/env bash
# Install everything (scripts/install.sh --dev), then run the checks and the
# whole test suite: ruff, mypy --strict, pytest. Extra arguments go to pytest.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${PYCRM_VENV:-/opt/pycrm/venv}
bash "$repo/scripts/install.sh" --dev
cd "$repo"

echo "== ruff"
"$venv/bin/ruff" check .
"$venv/bin/ruff" format --check .
echo "== mypy --strict"
"$venv/bin/mypy"
echo "== pytest"
set +e
"$venv/bin/python" -m pytest "$@"
rc=$?
set -e
if [[ $rc -eq 5 ]]; then
    echo "test.sh: pytest collected no tests; that is a failure" >&2
    exit 1
fi
exit $rc
