#!/usr/bin/env bash
# Makes .dev.vars from .dev.vars.example, and appends settings added to the example since
# an existing .dev.vars was made (with their example values).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .dev.vars ] || cp .dev.vars.example .dev.vars
while IFS= read -r line; do
  key="${line%%=*}"
  case "$line" in '' | '#'*) continue ;; esac
  grep -q "^${key}=" .dev.vars || echo "$line" >>.dev.vars
done <.dev.vars.example
