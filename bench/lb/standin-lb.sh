#!/usr/bin/env bash
# Stand-in for the SkyServe load balancer, for testing bench/lb.sh before the real one exists:
#   LB_CMD="bash bench/lb/standin-lb.sh" bash bench/lb.sh
# Takes the load balancer's command line (--listen URL --static-backends URL,URL [--policy P]) and
# execs an nginx reverse proxy (the proxy.nginx.conf.in template) with those settings; the policy is
# ignored (nginx uses least_conn). Only two backends are supported, as bench/lb.sh starts two.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
listen='' backends=''
while [ $# -gt 0 ]; do
  case "$1" in
    --listen) listen=$2; shift 2 ;;
    --static-backends) backends=$2; shift 2 ;;
    --policy) shift 2 ;;
    *) echo "standin-lb: unknown argument $1" >&2; exit 2 ;;
  esac
done
port=${listen##*:}; port=${port%%/*}
IFS=, read -r b1 b2 <<<"$backends"
a=${b1##*:}; a=${a%%/*}; b=${b2##*:}; b=${b%%/*}
[ -n "$port" ] && [ -n "$a" ] && [ -n "$b" ] || { echo "standin-lb: need --listen and two --static-backends" >&2; exit 2; }
dir=${LB_BENCH_TMP:-$(mktemp -d)}/standin-lb
mkdir -p "$dir"
sed -e "s|@PORT@|$port|g" -e "s|@A@|$a|g" -e "s|@B@|$b|g" -e "s|@DIR@|$dir|g" -e "s|@NAME@|standin|g" -e "s|@WORKERS@|$(nproc)|g" \
  "$here/proxy.nginx.conf.in" >"$dir/nginx.conf"
exec nginx -p "$dir/" -e "$dir/standin.error.log" -c "$dir/nginx.conf"
