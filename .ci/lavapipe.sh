#!/usr/bin/env bash
# Mesa's lavapipe (a software Vulkan driver, the only one on many GPU-less Linux machines) as a second
# driver for CI, next to SwiftShader. Prints the path of an ICD json that points Vulkan at it.
#
# Debian 12's own lavapipe (Mesa 22.3) is refused by Dawn: requestAdapter() returns null after
#   "Warning: Vulkan shaderUniform*ArrayDynamicIndexing required. - While initializing adapter (backend=BackendType::Vulkan)".
# bookworm-backports' Mesa 25 is accepted. Installing it system-wide would upgrade a dozen Mesa packages, so
# its .deb is fetched with `apt-get download` (through a private apt config: the system's sources stay as
# they are) and unpacked into DIR with `dpkg -x`; the ICD json names its libvulkan_lvp.so by absolute path.
# Its shared-library dependencies (LLVM 15, libdrm, xcb…) are the same as Debian 12's lavapipe's, so that
# package is installed for them.
set -euo pipefail
DIR=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/deltagpu-lavapipe}
LIB="$DIR/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"
ICD="$DIR/lvp_icd.json"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

if [ ! -f "$LIB" ]; then
  export DEBIAN_FRONTEND=noninteractive
  dpkg -s mesa-vulkan-drivers >/dev/null 2>&1 || $SUDO apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers >/dev/null
  mkdir -p "$DIR/apt/lists/partial" "$DIR/apt/cache/archives/partial" "$DIR/deb"
  echo 'deb http://deb.debian.org/debian bookworm-backports main' > "$DIR/apt/sources.list"
  APT=(-o "Dir::Etc::SourceList=$DIR/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
       -o "Dir::State::Lists=$DIR/apt/lists" -o "Dir::Cache=$DIR/apt/cache" -o APT::Sandbox::User=root)
  apt-get "${APT[@]}" update -qq
  (cd "$DIR/deb" && apt-get "${APT[@]}" download -qq mesa-vulkan-drivers/bookworm-backports)
  dpkg -x "$DIR"/deb/mesa-vulkan-drivers_*.deb "$DIR/root"
fi
if ldd "$LIB" | grep -q 'not found'; then
  echo "lavapipe: $LIB is missing libraries:" >&2
  ldd "$LIB" | grep 'not found' >&2
  exit 1
fi
printf '{"file_format_version": "1.0.1", "ICD": {"library_path": "%s", "api_version": "1.4.305"}}\n' "$LIB" > "$ICD"
echo "$ICD"
