#!/usr/bin/env bash
# Seeds the README's demo estate into a running moto_server.
set -euo pipefail
exec python3 "$(dirname "$0")/demo-seed.py" "${1:-http://127.0.0.1:5000}"
