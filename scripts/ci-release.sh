#!/usr/bin/env bash
# The release leg of `.ci/run`, after `npm test` (issue 21). `npm test` already installs and runs the
# linux_amd64 release from a signed registry (test/engine/terraform/release.test.ts); this builds every
# platform terraform-release offers, unsigned, and checks each zip holds one executable with its run
# bit and that the SEA fuse in it is flipped (the provider was injected). linux_arm64 and
# windows_amd64 are only built here, not run (no emulator for them on CI).
#
# Usage: scripts/ci-release.sh        (needs the npm registry once; node tarballs are cached under
#        $XDG_CACHE_HOME/palette-apikeys/node-dist)
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
node dist/cli/palette-apikeys.js terraform-release "$out/release" --platforms linux_amd64,linux_arm64,windows_amd64
version="$(node -p 'require("./package.json").version')"
for platform in linux_amd64 linux_arm64 windows_amd64; do
  zip="$out/release/terraform-provider-palette_${version}_${platform}.zip"
  exe="terraform-provider-palette_v${version}"
  [ "$platform" = windows_amd64 ] && exe="$exe.exe"
  listing="$(unzip -Z "$zip")"
  echo "$listing" | grep -q -- "-rwxr-xr-x .* unx .* $exe\$" || { echo "$zip: no executable $exe at its root:"; echo "$listing"; exit 1; }
  [ "$(echo "$listing" | grep -c '^[-d]')" = 1 ] || { echo "$zip: more than one entry"; exit 1; }
  unzip -q -o "$zip" -d "$out/$platform"
  grep -q -a 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1' "$out/$platform/$exe" || { echo "$platform: the SEA fuse is not flipped"; exit 1; }
  echo "$platform: $(du -h "$zip" | cut -f1) zip, one executable, SEA fuse flipped"
done
(cd "$out/release" && sha256sum -c "terraform-provider-palette_${version}_SHA256SUMS")
