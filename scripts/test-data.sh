#!/usr/bin/env bash
# Installs or fetches what the tests need beyond npm, as listed in tooling/test-requirements.txt
# (one requirement a line: add a Debian package there, not here). Idempotent: a second run checks and
# does nothing. Run by `npm test` before the tests and by the vitest global setup when something is
# missing; stdin closed (as there) means sudo is never asked for a password.
#   apt      rows: apt-get install, as root or through sudo;
#   fetch    rows: apt-get download + dpkg-deb -x, keeping only the data folder and its copyright file
#            in the git-ignored .cache/test-data (a few MB instead of 300), never installed;
#   manual, optional rows: only reported.
# Without apt-get, or without root or sudo, it prints what to install by hand and what each is for;
# then it stops with exit 1 under CI=true, or carries on (the tests that need the missing pieces are
# skipped, each with its reason in the closing line).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/test-data"
ci=0
[ "${CI:-}" = true ] || [ "${CI:-}" = 1 ] && ci=1

apt_missing=() # "packages<TAB>purpose"
fetch_missing=()
notes=()
while IFS= read -r line; do
  [[ -z "${line// /}" || "$line" == \#* ]] && continue
  IFS=$'\t' read -r id how install check purpose <<<"${line// | /$'\t'}"
  (cd "$root" && bash -c "$check") >/dev/null 2>&1 && continue
  case "$how" in
    apt) apt_missing+=("$install"$'\t'"$purpose") ;;
    fetch) fetch_missing+=("$install"$'\t'"$purpose") ;;
    manual) notes+=("$id: $install ($purpose); tests that need it are skipped, or fail under CI=true") ;;
    optional) notes+=("$id (optional): $install ($purpose)") ;;
  esac
done <"$root/tooling/test-requirements.txt"

# Where the photos used to be cached (before .cache/test-data): moved rather than downloaded again.
old="$root/packages/preprocess/test/fixtures/.cache"
for name in skimage-data opencv-data wqy-fonts; do
  if [ -d "$old/$name" ] && [ ! -d "$cache/$name" ]; then
    mkdir -p "$cache"
    mv "$old/$name" "$cache/$name"
  fi
done
[ -d "$old" ] && rmdir "$old" 2>/dev/null || true

sudo=""
can_install=1
why=""
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  can_install=0
  why="there is no apt-get/dpkg-deb (not a Debian-like system)"
elif [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && { [ -t 0 ] || sudo -n true 2>/dev/null; }; then
    sudo="sudo"
  else
    can_install=0
    why="this is not root and sudo is missing or needs a password (stdin is not a terminal)"
  fi
fi

if [ "$can_install" = 0 ] && [ $((${#apt_missing[@]} + ${#fetch_missing[@]})) -gt 0 ]; then
  {
    echo "› test data: cannot install here: $why."
    echo "  The tests compare against these Debian (bookworm) packages; install them by hand:"
    for m in "${apt_missing[@]}"; do
      IFS=$'\t' read -r pkgs purpose <<<"$m"
      printf '    %-34s %s\n' "$pkgs" "$purpose"
    done
    for m in "${fetch_missing[@]}"; do
      IFS=$'\t' read -r pkgs purpose <<<"$m"
      printf '    %-34s %s\n' "$pkgs" "$purpose; data folders unpacked into .cache/test-data (see fetch() in scripts/test-data.sh)"
    done
    echo "  Versions matter (onnx 1.12, OpenCV 4.6): a Debian bookworm container is the simplest way."
    if [ "$ci" = 1 ]; then
      echo "  CI=true: stopping."
    else
      echo "  Carrying on: tests that need them are skipped, with the reason in the closing line."
    fi
  } >&2
  [ "$ci" = 1 ] && exit 1
  apt_missing=()
  fetch_missing=()
fi

updated=0
apt_update() {
  if [ "$updated" = 0 ]; then
    $sudo apt-get update -qq
    updated=1
  fi
}

if [ ${#apt_missing[@]} -gt 0 ]; then
  pkgs=()
  for m in "${apt_missing[@]}"; do
    read -r -a p <<<"${m%%$'\t'*}"
    pkgs+=("${p[@]}")
  done
  echo "› apt-get install ${pkgs[*]}"
  apt_update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

fetch() { # package, folder inside the package to keep, name of the folder in the cache
  local pkg="$1" keep="$2" name="$3"
  [ -d "$cache/$name" ] && return 0
  echo "› apt-get download $pkg (data unpacked into .cache/test-data/$name, not installed)"
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
if [ ${#fetch_missing[@]} -gt 0 ]; then
  fetch python3-skimage usr/lib/python3/dist-packages/skimage/data skimage-data
  fetch opencv-doc usr/share/doc/opencv-doc/examples/data opencv-data
  fetch fonts-wqy-microhei usr/share/fonts/truetype/wqy wqy-fonts
fi

for n in "${notes[@]}"; do echo "› not here: $n"; done
