#!/usr/bin/env bash
# Makes tests/imports/.venv hold the pinned importers of tests/imports/requirements.txt
# (DuckDB, pandas, pyarrow), which the import tests in tests/cli/imports.rs run. .ci/run calls
# it; run it once by hand to run those tests locally (cargo test reports them as ignored, with
# this command, until then). Reinstalls only when requirements.txt changes.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/venv.sh
ensure_venv tests/imports/.venv tests/imports/requirements.txt
