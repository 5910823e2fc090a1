#!/usr/bin/env bash
# The packages as a user outside this repo gets them: pack every package (prepack builds it),
# install the tarballs with plain npm into an empty project, then
#   1. examples/consumer/train.mjs under plain node prints the same finite loss as in the repo,
#      and the `mini` command runs;
#   2. the consumer type-checks (strict, NodeNext, no skipLibCheck, no @types/node);
#   3. a Vite browser build of tensor + nn + optim + data externalizes no Node built-in;
#   4. publint and @arethetypeswrong/cli report nothing on each tarball.
# Prints the tarball sizes and the install size of @mini/nn with its dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
BIN=$REPO/node_modules/.bin
PACKAGES=(kernels packages/tensor packages/autograd packages/nn packages/optim packages/data packages/mnist-sample)
work=$(mktemp -d -t mini-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT
start=$SECONDS
say() { printf '[consumer %3ss] %s\n' "$((SECONDS - start))" "$*"; }

say "packing ${#PACKAGES[@]} packages"
mkdir -p "$work/tarballs"
for dir in "${PACKAGES[@]}"; do
  (cd "$dir" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
for tgz in "$work"/tarballs/*.tgz; do
  if tar tzf "$tgz" | grep -E '(^|/)(test|fixtures)/|\.test\.ts$|tsbuildinfo$'; then say "$(basename "$tgz") ships tests, fixtures or build info"; exit 1; fi
  printf '  %-28s %7s kB packed, %5s files\n' "$(basename "$tgz")" "$(( $(stat -c %s "$tgz") / 1024 ))" "$(tar tzf "$tgz" | wc -l)"
done

say "publint and attw on each tarball"
for tgz in "$work"/tarballs/*.tgz; do
  lint=$("$BIN/publint" run "$tgz" --strict 2>&1) || { echo "$lint"; exit 1; }
  grep -q 'All good!' <<<"$lint" || { echo "$lint"; say "publint reported something on $(basename "$tgz")"; exit 1; }
  "$BIN/attw" "$tgz" --profile esm-only --format ascii >"$work/attw.txt" 2>&1 || { cat "$work/attw.txt"; say "attw reported problems on $(basename "$tgz")"; exit 1; }
done
say "  publint: all good; attw (esm-only profile): no problems"

say "npm install of the tarballs into an empty project"
app=$work/app
mkdir -p "$app"
cp examples/consumer/{train.mjs,typecheck.ts,browser.ts,tsconfig.json} "$app/"
printf '{ "name": "consumer", "private": true, "type": "module" }\n' >"$app/package.json"
(cd "$app" && npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz webgpu@^0.6.2 >/dev/null)

say "1. train.mjs under plain node, and in the repo"
outside=$(cd "$app" && node train.mjs 2>/dev/null)
inside=$("$BIN/tsx" examples/consumer/train.mjs 2>/dev/null)
echo "  installed: $outside"
echo "  repo:      $inside"
[ "$outside" = "$inside" ] || { say "the installed packages and the repo disagree"; exit 1; }
info=$(cd "$app" && npx --no-install mini info --short 2>/dev/null)
[[ $info == device:* ]] || { say "npx mini info printed '$info'"; exit 1; }
echo "  npx mini info --short: $info"

say "2. strict tsc (NodeNext, no skipLibCheck) in the consumer"
(cd "$app" && "$BIN/tsc" -p tsconfig.json)
echo "  no errors"

say "3. Vite browser build"
echo "  $("$BIN/tsx" scripts/vite-browser-check.ts "$app" browser.ts)"

say "install size of @mini/nn with its dependencies"
nn=$work/nn-only
mkdir -p "$nn" && printf '{ "name": "nn-only", "private": true }\n' >"$nn/package.json"
(cd "$nn" && npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/mini-{kernels,tensor,autograd,nn}-*.tgz >/dev/null)
echo "  @mini/nn and its dependencies: $(du -sk "$nn/node_modules" | cut -f1) kB in node_modules ($(ls "$nn/node_modules" "$nn/node_modules/@mini" | grep -cv -e '^$' -e ':$' -e '^@mini$') packages)"
(cd "$nn" && npm install --no-audit --no-fund --loglevel=error webgpu@^0.6.2 >/dev/null)
echo "  with the optional peer webgpu (Dawn for Node): $(du -sk "$nn/node_modules" | cut -f1) kB"
say "all checks passed"
