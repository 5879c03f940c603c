#!/usr/bin/env bash
# The two Quick start commands (`npm run demo`, `npm test`) land here. On a fresh machine with only
# Node 20+ and npm, this installs pnpm locally, installs the workspace, builds it, and then runs the
# demo or the test suite. Nothing is fetched from outside the npm registry and Debian's apt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mode=${1:-test}

# pnpm, pinned by packageManager, installed into .tools/ (no global install, no corepack).
pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ ! -x .tools/node_modules/.bin/pnpm ] || [ "$(.tools/node_modules/.bin/pnpm --version)" != "$pnpm_version" ]; then
  echo "› installing pnpm $pnpm_version into .tools/"
  npm install --silent --no-audit --no-fund --prefix .tools "pnpm@$pnpm_version" >/dev/null
fi
export PATH="$root/.tools/node_modules/.bin:$root/node_modules/.bin:$PATH"
# node-gyp inside pnpm would otherwise download Node headers; onnxruntime-node's installer would
# download CUDA libraries. Both are kept to what is already on this machine / in the package.
export npm_config_nodedir=${npm_config_nodedir:-/usr}
export ONNXRUNTIME_NODE_INSTALL=skip
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

echo "› pnpm install"
pnpm install --frozen-lockfile --reporter=silent
# What the tests need beyond npm (tooling/test-requirements.txt): installed or fetched here, once;
# where that cannot be done it says what to install by hand (and stops under CI=true). Before the
# build: the arm64 cross compiler it installs builds @edge/preprocess's arm64 prebuild.
if [ "$mode" = test ]; then bash scripts/test-data.sh; fi
echo "› build"
pnpm exec turbo run build --output-logs=errors-only

case "$mode" in
  demo)
    # examples/src/demo.ts: edge check on every target, OCR and face detection on the bundled
    # poster, INT8 calibration with FP32/INT8 side by side; annotated.png and report.html in $out.
    # A step that writes another report into $out (e.g. edge bench --html "$out/bench.html") goes
    # on a line before it, and report.html links it.
    out=${EDGE_DEMO_OUT:-demo-output}
    node examples/dist/demo.js "$out"
    ;;
  test)
    # The vitest global setup of each package then only checks, instead of running it again.
    export EDGE_TEST_DATA_DONE=1
    echo "› tests"
    node scripts/test-summary.mjs clean
    status=0
    # --continue: every package's tests run even after one fails; --force: tests always run
    # (turbo's cache would otherwise replay an earlier pass on the same inputs).
    pnpm exec turbo run test --output-logs=new-only --concurrency=1 --continue --force || status=$?
    node scripts/test-summary.mjs || status=$?
    exit "$status"
    ;;
  *)
    echo "usage: scripts/quickstart.sh demo|test" >&2
    exit 64
    ;;
esac
