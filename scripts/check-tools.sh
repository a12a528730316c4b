#!/usr/bin/env bash
# Reports the external programs the test suite drives. In CI a missing one is
# an error (those tests must run there); on a developer machine the tests that
# need it skip and say why.
set -u
missing=0
need() {
  local bin=$1 hint=$2
  if command -v "$bin" >/dev/null 2>&1; then
    return
  fi
  if [ "${CI:-}" = "true" ]; then
    echo "error: $bin is not on PATH; install it: $hint" >&2
    missing=1
  else
    echo "note: $bin is not on PATH, tests that need it will skip; install it: $hint" >&2
  fi
}
need moto_server 'pip install "moto[server]"'
need cfn-lint 'pip install cfn-lint'
need npm 'install Node.js and npm (the MCP Inspector test needs them)'
exit $missing
