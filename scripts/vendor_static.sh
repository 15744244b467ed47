#!/bin/sh
# The front-end files the admin serves, from npm: `npm ci` installs what package-lock.json locks (only when it
# changed since the last install), then the files the pages load are copied into static/vendor/, where the dev
# server and collectstatic find them. node_modules/ and static/vendor/ are build outputs, ignored by git.
# Run by `make static-vendor` (so by make install, install-test and run), the Dockerfile and .ci/prod_smoke.sh;
# docs/architecture.md, "Static files".
set -eu
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p static/vendor/chart.js
# Chart.js's UMD build (window.Chart), its source map (which the file names, so collectstatic's manifest needs it)
# and its licence.
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map \
  node_modules/chart.js/LICENSE.md static/vendor/chart.js/
