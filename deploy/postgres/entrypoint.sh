#!/bin/bash
# PostgreSQL for SkyServe. On first start (an empty $PGDATA) makes the cluster: superuser $POSTGRES_USER with the
# password from $POSTGRES_PASSWORD or the file $POSTGRES_PASSWORD_FILE (SCRAM), and the database $POSTGRES_DB owned by
# it. Then runs the server in the foreground on $POSTGRES_LISTEN:$POSTGRES_PORT (loopback by default: with host
# networking every process of the host could otherwise reach it). Connections over TCP need the password; the
# container's own Unix socket is for `docker exec ... pg_dump`/`psql` (peer-trusted: whoever can exec here owns it).
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    password="$POSTGRES_PASSWORD"
  elif [ -n "${POSTGRES_PASSWORD_FILE:-}" ] && [ -r "$POSTGRES_PASSWORD_FILE" ]; then
    password="$(<"$POSTGRES_PASSWORD_FILE")"
  else
    echo "error: no password for the new cluster: set POSTGRES_PASSWORD, or POSTGRES_PASSWORD_FILE to a readable file (deploy/secrets.sh makes one)" >&2
    exit 2
  fi
  umask 077
  pwfile="$(mktemp)"
  printf '%s\n' "$password" >"$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  unset password
  # Single-user mode: the database is made before the server listens to anyone.
  echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\";" | postgres --single -j -D "$PGDATA" postgres >/dev/null
  echo "skyserve-postgres: made the cluster in $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
fi
unset POSTGRES_PASSWORD
exec postgres -D "$PGDATA" -c listen_addresses="$POSTGRES_LISTEN" -p "$POSTGRES_PORT" \
  -c unix_socket_directories=/var/run/postgresql -c password_encryption=scram-sha-256 -c jit=off "$@"
