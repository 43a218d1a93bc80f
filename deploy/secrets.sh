#!/usr/bin/env bash
# Makes the secrets docker-compose.yml mounts (read-only, at /run/secrets/skyserve in the containers that need them):
#   api-token          the controllers' API token (the admin credential; give it to the CLI)
#   lb-token           the load balancers' own token (skl_..., derived from the API token: it reads routes and posts
#                      statistics, nothing else); Prometheus scrapes the load balancers with it
#   postgres-password  the database password (PostgreSQL makes its cluster with it; the controllers connect with it)
# Files that exist are kept (so a rerun changes nothing); lb-token is derived again from api-token.
#
# Usage: deploy/secrets.sh [DIR]   (default: $SKYSERVE_SECRETS_DIR, else deploy/secrets)
# The folder is 0750 and the files 0640, group 10001 (the images' service users are in that group), when this runs as
# root; otherwise the files are made 0644 in a 0711 folder so that the containers' users can read them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir="${1:-${SKYSERVE_SECRETS_DIR:-deploy/secrets}}"
umask 077
mkdir -p "$dir"

random() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
[ -s "$dir/api-token" ] || { random >"$dir/api-token"; echo >>"$dir/api-token"; echo "secrets.sh: made $dir/api-token"; }
[ -s "$dir/postgres-password" ] || { random >"$dir/postgres-password"; echo >>"$dir/postgres-password"; echo "secrets.sh: made $dir/postgres-password"; }

# skl_ + hex(HMAC-SHA256(key = the API token, "skyserve-load-balancer")), as the controller derives it
# (src/SkyServe.Controller/Hosting/ScopedTokens.cs; GET /api/v1/tokens/load-balancer answers the same).
token="$(tr -d '[:space:]' <"$dir/api-token")"
if command -v python3 >/dev/null; then
  lb="$(python3 -c 'import hmac, hashlib, sys; print(hmac.new(sys.stdin.read().strip().encode(), b"skyserve-load-balancer", hashlib.sha256).hexdigest())' <<<"$token")"
elif command -v openssl >/dev/null; then
  # The key goes on openssl's command line for the moment it runs (python3 reads it from stdin instead).
  lb="$(printf %s skyserve-load-balancer | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(printf %s "$token" | od -An -tx1 | tr -d ' \n')" | sed 's/^.*= //')"
else
  echo "secrets.sh: python3 or openssl is needed to derive the load balancer's token" >&2
  exit 1
fi
printf 'skl_%s\n' "$lb" >"$dir/lb-token"

if [ "$(id -u)" = 0 ]; then
  chgrp 10001 "$dir" "$dir"/api-token "$dir"/lb-token "$dir"/postgres-password
  chmod 0750 "$dir"
  chmod 0640 "$dir"/api-token "$dir"/lb-token "$dir"/postgres-password
else
  echo "secrets.sh: not root: the files are made world-readable (0644) in a 0711 folder; keep the folder in a private place" >&2
  chmod 0711 "$dir"
  chmod 0644 "$dir"/api-token "$dir"/lb-token "$dir"/postgres-password
fi
echo "secrets.sh: $dir holds api-token, lb-token and postgres-password"
