#!/usr/bin/env bash
# The npm tarball of the library: `bash scripts/pack-clean.sh [PACKAGE_DIR]` writes it into the current directory
# and prints its file name on the last line. PACKAGE_DIR defaults to the current directory.
#
# It is the pack command of jsii-pacmak (--pack-command, run in pacmak's copy of the repository), so the tarball in
# dist/js and the one every language package embeds are the same, and test/package-contents.test.ts checks it.
# npm packs bundled dependencies (Ajv, JSONata and theirs) by their own file lists, which ship TypeScript sources and
# source maps (ajv/lib/*.ts, ajv/dist/*.js.map: about 220 files) that no one running the library needs and that the
# root .npmignore cannot exclude: they are taken out of the packed tarball, never out of node_modules.
# jsii refuses peer dependencies that are not jsii modules, so the optional ones (.projenrc.ts: OPTIONAL_PEERS) wait in
# package.json's "optionalPeerDependencies" and are moved into the packed package.json's "peerDependencies" here.
set -euo pipefail
source_dir=$(cd "${1:-.}" && pwd)
out_dir=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

name=$(cd "$work" && npm pack "$source_dir" --ignore-scripts --loglevel=error | tail -n 1)
mkdir "$work/x"
tar -xzf "$work/$name" -C "$work/x"
node -e '
  const fs = require("fs"); const file = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  if (pkg.optionalPeerDependencies) {
    pkg.peerDependencies = { ...pkg.peerDependencies, ...pkg.optionalPeerDependencies };
    delete pkg.optionalPeerDependencies;
  }
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$work/x/package/package.json"
find "$work/x/package/node_modules" -type f \( -name '*.map' -o \( -name '*.ts' ! -name '*.d.ts' \) \) -delete
# Sorted, owner-less and dated like npm's own tarballs, so two packs of the same tree are the same bytes.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='1985-10-26 08:15:00Z' -C "$work/x" -cf - package \
  | gzip -n -9 > "$out_dir/$name"
echo "$name"
