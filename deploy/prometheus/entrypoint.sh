#!/bin/bash
# Prometheus for SkyServe: writes its configuration from the environment, then runs it in the foreground.
#   PROMETHEUS_LISTEN                 its own address (default 127.0.0.1:9090)
#   SKYSERVE_SCRAPE_LOAD_BALANCERS    load balancers, host:port,host:port (their /-/metrics, with the load balancer's token)
#   SKYSERVE_SCRAPE_CONTROLLERS       controllers, http://host:port,...: the replica agents to scrape (/metrics) are
#                                     discovered from each (GET /api/v1/lb/scrape-targets, Prometheus' HTTP service
#                                     discovery, with the same token), so the replicas of every service are scraped
#                                     wherever they run; the controllers themselves serve no /metrics yet
#   SKYSERVE_TOKEN / SKYSERVE_LB_TOKEN_FILE   that token (skl_..., or the API token), or a file holding it
#   PROMETHEUS_RETENTION              how long samples are kept (default 15d)
#   PROMETHEUS_SCRAPE_INTERVAL        default 15s (also how often the agents are looked up)
# Further arguments go to prometheus.
set -euo pipefail
dir=/run/skyserve-prometheus
umask 077
token_file="${SKYSERVE_LB_TOKEN_FILE:-}"
if [ -n "${SKYSERVE_TOKEN:-}" ]; then
  printf '%s\n' "$SKYSERVE_TOKEN" >"$dir/token"
  token_file="$dir/token"
fi
unset SKYSERVE_TOKEN
if [ -z "$token_file" ] || [ ! -r "$token_file" ]; then
  echo "error: the load balancers' token is missing: set SKYSERVE_TOKEN, or SKYSERVE_LB_TOKEN_FILE to a readable file (deploy/secrets.sh makes one)" >&2
  exit 2
fi

targets() { # comma-separated list -> YAML flow list of quoted strings
  local out="" item
  IFS=, read -r -a items <<<"${1:-}"
  for item in "${items[@]}"; do
    item="${item// /}"
    [ -n "$item" ] && out+="${out:+, }\"$item\""
  done
  echo "[$out]"
}

{
  cat <<YAML
# Written by skyserve-prometheus from the environment at $(date -u +%Y-%m-%dT%H:%M:%SZ).
global:
  scrape_interval: ${PROMETHEUS_SCRAPE_INTERVAL:-15s}
  evaluation_interval: ${PROMETHEUS_SCRAPE_INTERVAL:-15s}
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["$PROMETHEUS_LISTEN"]
  - job_name: skyserve-load-balancer
    metrics_path: /-/metrics
    authorization:
      type: Bearer
      credentials_file: $token_file
    static_configs:
      - targets: $(targets "${SKYSERVE_SCRAPE_LOAD_BALANCERS:-}")
YAML
  IFS=, read -r -a controllers <<<"${SKYSERVE_SCRAPE_CONTROLLERS:-}"
  sd=""
  for controller in "${controllers[@]}"; do
    controller="${controller// /}"
    [ -n "$controller" ] || continue
    sd+="      - url: ${controller%/}/api/v1/lb/scrape-targets
        refresh_interval: ${PROMETHEUS_SCRAPE_INTERVAL:-15s}
        authorization:
          # Explicit: Prometheus 2.42 (Debian's) sends the discovery request's credentials without the scheme otherwise.
          type: Bearer
          credentials_file: $token_file
"
  done
  if [ -n "$sd" ]; then
    printf '  - job_name: skyserve-agent\n    metrics_path: /metrics\n    http_sd_configs:\n%s' "$sd"
  fi
} >"$dir/prometheus.yml"

exec prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path=/var/lib/prometheus/data \
  --storage.tsdb.retention.time="${PROMETHEUS_RETENTION:-15d}" --web.listen-address="$PROMETHEUS_LISTEN" "$@"
