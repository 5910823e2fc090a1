#!/usr/bin/env bash
# Sets up everything mini needs on a fresh Debian 12 or Ubuntu machine: pnpm (pinned), the
# workspace's dependencies, where no WebGPU adapter works the software GPU (Mesa 25 lavapipe from
# bookworm-backports), Debian's Fashion-MNIST and Debian's Chromium for `pnpm test:browser`; then it
# builds the packages and the Node examples (so that `pnpm example:NAME` starts from JavaScript).
# Run as root to install system packages; otherwise it prints the commands. A second run is quick and changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.9
say() { printf '[setup] %s\n' "$*"; }
as_root() { [ "$(id -u)" = 0 ]; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none)). Install it from https://nodejs.org or your package manager."
  exit 1
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  say "installing pnpm $PNPM_VERSION"
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
fi

say "installing dependencies (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile --reporter=silent

# The apt source line for bookworm-backports, on the mirror the machine already uses.
backports_source() {
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | grep -v security | head -n1 | awk '{print $2}')
  [ -n "$uri" ] || uri=$(grep -hsE '^deb ' /etc/apt/sources.list | grep -v security | head -n1 | awk '{print $2}')
  [ -n "$uri" ] || { say "could not find the Debian mirror in /etc/apt/sources.list*"; return 1; }
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri"
}

apt_updated=0
apt_install() {
  [ $apt_updated = 1 ] || { apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install_software_gpu() {
  . /etc/os-release
  if [ "${VERSION_CODENAME:-}" != bookworm ]; then
    if as_root; then say "installing Mesa's Vulkan drivers"; apt_install mesa-vulkan-drivers
    else say "No working Vulkan adapter. Install Mesa's Vulkan drivers: sudo apt-get install mesa-vulkan-drivers"; fi
    return 0
  fi
  local list=/etc/apt/sources.list.d/mini-bookworm-backports.sources
  if ! as_root; then
    say "No working Vulkan software GPU (Debian 12's Mesa 22 is too old for Dawn). As root, run:"
    echo "cat > $list <<'SRC'"
    backports_source
    echo "SRC"
    echo "apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers"
    return 0
  fi
  [ -f "$list" ] || backports_source > "$list"
  say "installing Mesa lavapipe from bookworm-backports (Debian 12's Mesa 22 is too old for Dawn)"
  apt_install -t bookworm-backports mesa-vulkan-drivers
}

linux_packages() {
  if ! npx tsx packages/tensor/src/cli.ts probe vulkan >/dev/null 2>&1; then
    install_software_gpu
  fi
  if [ ! -d /usr/share/fonts/truetype/dejavu ] && as_root; then say "installing fonts for the PNG plots"; apt_install fonts-dejavu-core; fi
  if [ ! -x "${MINI_CHROMIUM:-/usr/lib/chromium/chromium}" ]; then
    if as_root; then say "installing Debian's Chromium for pnpm test:browser"; apt_install chromium
    else say "For pnpm test:browser (headless Chromium): sudo apt-get install chromium"; fi
  fi
  if [ ! -d /usr/share/datasets/fashion-mnist ]; then
    if as_root; then say "installing Debian's Fashion-MNIST (dataset-fashion-mnist)"; apt_install dataset-fashion-mnist
    else say "For --dataset fashion-mnist and the tests: sudo apt-get install dataset-fashion-mnist"; fi
  fi
}

if [ "$(uname -s)" = Linux ] && command -v apt-get >/dev/null; then
  linux_packages
fi

# The packages and the Node examples into their dist/, so that `pnpm example:NAME` starts from
# JavaScript (scripts/run-example.mjs); a build that is already current takes a second or two.
say "building the packages and examples (tsc -b tsconfig.build.json)"
pnpm exec tsc -b tsconfig.build.json

npx tsx packages/tensor/src/cli.ts info --short
