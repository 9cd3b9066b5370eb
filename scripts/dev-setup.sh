#!/usr/bin/env bash
# Prepares local development: .dev.vars, migrations and the demo seed in the local D1.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .dev.vars ] || cp .dev.vars.example .dev.vars
wrangler d1 migrations apply DB --local
node scripts/seed.ts
