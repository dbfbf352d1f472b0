#!/usr/bin/env bash
# Install what the test suite needs (Graphviz's `dot` included, when we can) and run all of it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
      || echo "warning: could not install graphviz; rendering tests will skip"
  else
    echo "note: Graphviz 'dot' not found and cannot install it here (apt-get install graphviz / brew install graphviz)"
  fi
fi
python3 -m pip install -q -e ".[test,distributed]"
# one BLAS thread per process: the suite's matrices are small, and on 2 busy cores BLAS threads mostly wait on each other
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"
python3 -m pytest autograd nn optim denpa tests README.md "$@"
