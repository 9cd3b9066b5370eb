#!/usr/bin/env bash
# Prepares local development: .dev.vars, migrations and the demo seed in the local D1.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .dev.vars ] || cp .dev.vars.example .dev.vars
# Settings added since a .dev.vars was made are appended with their example values.
while IFS= read -r line; do
  key="${line%%=*}"
  case "$line" in ''|'#'*) continue ;; esac
  grep -q "^${key}=" .dev.vars || echo "$line" >> .dev.vars
done < .dev.vars.example
wrangler d1 migrations apply DB --local
node scripts/seed.ts
