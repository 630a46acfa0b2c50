#!/usr/bin/env bash
# Installs the Debian 12 packages feedscout builds, tests and runs with, if any is missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  librocksdb-dev libfasttext-dev libcpp-httplib-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libtomlplusplus-dev libcurl4-openssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libicu-dev libhnswlib-dev libxgboost-dev libeigen3-dev wrk
  libxapian-dev
  curl gnuplot-nox
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "feedscout needs these Debian packages: ${missing[*]}" >&2
  echo "Run as root:" >&2
  echo "  $cmd" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
