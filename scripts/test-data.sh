#!/usr/bin/env bash
# Debian packages the tests use: python3-onnx and numpy (onnx.checker, reference models) and
# libonnx-testdata (1072 conformance models). Installed with apt when missing; nothing else.
set -euo pipefail
need=()
/usr/bin/python3 -c 'import onnx, numpy' 2>/dev/null || need+=(python3-onnx python3-numpy)
[ -d /usr/share/libonnx-testdata/data ] || need+=(libonnx-testdata)
if [ ${#need[@]} -gt 0 ]; then
  echo "› apt-get install ${need[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
