#!/usr/bin/env bash
# The Python bindings, run as a Python team would: a fresh virtual environment with the built wheel and aws-cdk-lib
# from PyPI, the CLI from the npm tarball (what `npx cdk-eventbridge-blueprints` installs), then pytest.
# Needs dist/python/*.whl and dist/js/*.tgz (npm run package:python, npm run package:js).
set -euo pipefail
cd "$(dirname "$0")/../.."

wheel=(dist/python/*.whl)
tarball=(dist/js/*.tgz)
[ -f "${wheel[0]}" ] || { echo "no wheel in dist/python: run 'npm run package:python' first" >&2; exit 1; }
[ -f "${tarball[0]}" ] || { echo "no tarball in dist/js: run 'npm run package:js' first" >&2; exit 1; }

venv=bindings/python/.venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r bindings/python/requirements.txt "${wheel[0]}"
"$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null | grep -E '^(aws-cdk-lib|cdk-eventbridge-blueprints|constructs|jsii) '

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
cli=$(mktemp -d)
trap 'rm -rf "$cli"' EXIT
npm install --prefix "$cli" --no-audit --no-fund --no-save --loglevel=error "${tarball[0]}"

EVENTBRIDGE_BLUEPRINTS_CLI="$cli/node_modules/.bin/cdk-eventbridge-blueprints" \
  "$venv/bin/python" -m pytest -p no:cacheprovider bindings/python "$@"
