#!/usr/bin/env bash
# Compatibility job: builds and tests a copy of the repository against the lowest aws-cdk-lib and constructs the
# library declares (its peer floor), while the repository itself develops and tests on the newest release.
# It copies the tracked files into a temporary directory outside the repository, installs the locked tree (npm ci),
# replaces aws-cdk-lib and constructs by the floor, then runs the jsii compile, the bundling, the type-check of the
# tests, the unit tests (jest --ci: snapshots are compared, never written) and the example synth. Any failure fails it.
#
# Usage: scripts/compat-floor.sh   (npm run test:compat). KEEP_COMPAT_DIR=1 keeps the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# The declared floor, read from package.json (written by projen from .projenrc.ts): "^2.258.0" -> 2.258.0.
CDK_FLOOR=$(node -p "require('./package.json').peerDependencies['aws-cdk-lib'].replace(/^\\^/, '')")
CONSTRUCTS_FLOOR=$(node -p "require('./package.json').peerDependencies.constructs.replace(/^\\^/, '')")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cdk-eventbridge-blueprints-compat.XXXXXX")
cleanup() { if [ -z "${KEEP_COMPAT_DIR:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi; }
trap cleanup EXIT

step() { printf '\n--- compat: %s (%ss)\n' "$1" "$SECONDS"; }

step "copy the tracked files to $WORK"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$WORK"
cd "$WORK"

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error

step "install the floor: aws-cdk-lib@$CDK_FLOOR constructs@$CONSTRUCTS_FLOOR"
# --legacy-peer-deps: the devDependencies are locked for the newest aws-cdk-lib, and npm would otherwise re-resolve
# their peer ranges (the aws-cdk CLI's @aws-cdk/cloud-assembly-api wants a newer @aws-cdk/cloud-assembly-schema than
# the floor's, and cdk-nag 3 declares constructs ^10.5.1); only aws-cdk-lib and constructs are to change.
npm install --no-save --no-audit --no-fund --loglevel=error --legacy-peer-deps \
  "aws-cdk-lib@$CDK_FLOOR" "constructs@$CONSTRUCTS_FLOOR"
INSTALLED_CDK=$(node -p "require('aws-cdk-lib/package.json').version")
INSTALLED_CONSTRUCTS=$(node -p "require('constructs/package.json').version")
echo "aws-cdk-lib $INSTALLED_CDK, constructs $INSTALLED_CONSTRUCTS (cdk-nag $(node -p "require('cdk-nag/package.json').version"))"
if [ "$INSTALLED_CDK" != "$CDK_FLOOR" ] || [ "$INSTALLED_CONSTRUCTS" != "$CONSTRUCTS_FLOOR" ]; then
  echo "FAIL: expected aws-cdk-lib $CDK_FLOOR and constructs $CONSTRUCTS_FLOOR" >&2
  exit 1
fi

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CDK_DISABLE_CLI_TELEMETRY=true JSII_DEPRECATED=quiet

step "bundle the Lambda handlers"
npx projen bundle

step "jsii compile against the floor"
npx projen compile

step "type-check tests, benchmarks and examples"
npx tsc -p test/tsconfig.json --noEmit

step "unit tests (jest --ci, snapshots compared, never updated)"
npx jest --ci --coverage=false

step "example synth (cdk-nag AwsSolutions + Serverless as synth plugins)"
npx cdk synth --quiet --no-notices

step "passed on aws-cdk-lib $INSTALLED_CDK, constructs $INSTALLED_CONSTRUCTS"
cd "$ROOT"
