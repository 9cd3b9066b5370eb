#!/usr/bin/env bash
# Prepares local development: .dev.vars, migrations and the demo seed in the local D1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/dev-vars.sh
wrangler d1 migrations apply DB --local
node scripts/seed.ts
