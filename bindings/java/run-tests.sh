#!/usr/bin/env bash
# The Java bindings, run: Maven builds the JUnit tests against dist/java (npm run package:java) and aws-cdk-lib from
# Maven Central, then runs them.
set -euo pipefail
cd "$(dirname "$0")"
version=$(node -p "require('../../package.json').version")
[ -d "../../dist/java/io/github/cdk-eventbridge-blueprints/cdk-eventbridge-blueprints/$version" ] \
  || { echo "no Java package $version in dist/java: run 'npm run package:java' first" >&2; exit 1; }
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
exec mvn --batch-mode --no-transfer-progress -Dblueprints.version="$version" test "$@"
