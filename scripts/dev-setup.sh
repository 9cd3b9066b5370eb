#!/usr/bin/env bash
# Prepares local development: .dev.vars, the certificate font, migrations and the demo seed
# in the local D1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/dev-vars.sh
node scripts/fonts.ts
wrangler d1 migrations apply DB --local
node scripts/seed.ts
