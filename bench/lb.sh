#!/usr/bin/env bash
# bench/lb.sh: load-balancer benchmark (issue 5, item 8). Run from the repo root: bash bench/lb.sh
#
# What it measures. Two trivial local backends (each its own nginx, `return 200 "ok\n"`) sit behind
# three proxies: (b) the SkyServe load balancer in its static-backends mode (policy least_load),
# (c) nginx (least_conn, upstream keepalive, proxy_next_upstream) and (d) HAProxy (leastconn,
# retries 3, option redispatch, http-reuse always). Everything listens on 127.0.0.1 only.
#   1. Throughput/latency: the same wrk load (after a discarded 2 s warm-up) against (a) backend A
#      directly, (b), (c) and (d). Table 1 gives req/s, p50 and p99 latency (ms), errors (non-2xx
#      responses + socket errors) and the ratios to nginx: "req/s / nginx" above 1 is better than
#      nginx, "p99 / nginx" below 1 is better. The direct row is the ceiling: it is the backend
#      alone, with no proxy hop.
#   2. Kill one backend mid-run: for each proxy in turn (freshly restarted, both backends up), a
#      KILL_DURATION wrk run during which backend B (its nginx master and worker) gets kill -9 at
#      KILL_AT seconds. Table 2 counts the client requests that failed (non-2xx + socket errors).
#      A proxy that retries a failed attempt on the other replica scores 0; "reqs to B before kill"
#      shows that B really was taking traffic when it died.
# All processes share this machine's cores (wrk too), so read the numbers relative to one another,
# not as absolute capacity. Progress goes to stderr; the tables and, as the very last line, one
# JSON object with the headline numbers go to stdout (`bash bench/lb.sh | tail -1` for the JSON).
#
# Settings (environment variables):
#   DURATION=10s        measured wrk run per target        WARMUP=2s      discarded warm-up run
#   THREADS=2 CONNS=64  wrk threads and connections        WRK_TIMEOUT=2s wrk request timeout
#   KILL_DURATION=6s    kill-scenario run length           KILL_AT=2      seconds before kill -9 of B
#   LB_CMD=...          command prefix that starts the load balancer; lb.sh appends
#                       `--listen http://127.0.0.1:PORT --static-backends http://127.0.0.1:A,http://127.0.0.1:B
#                       --policy least_load`. Default: dotnet on the Release build of
#                       src/SkyServe.LoadBalancer (built first). To test the script without it:
#                       LB_CMD="bash bench/lb/standin-lb.sh" bash bench/lb.sh   (nginx stand-in)
#   SKIP_BUILD=1        use the existing Release build      SKIP_INSTALL=1 do not apt-get install
#   LB_READY_TIMEOUT=60 seconds to wait for the load balancer   KEEP_TMP=1 keep configs and logs
# Exit status: 0 when the benchmark ran (whatever its numbers); 1 on a setup failure (tools missing,
# build failed, a process did not start), with a message on stderr.
set -euo pipefail

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
WRK_TIMEOUT=${WRK_TIMEOUT:-2s}
KILL_DURATION=${KILL_DURATION:-6s}
KILL_AT=${KILL_AT:-2}
LB_READY_TIMEOUT=${LB_READY_TIMEOUT:-60}
LB_POLICY=${LB_POLICY:-least_load}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEMPLATES=$ROOT/bench/lb
LB_PROJECT=$ROOT/src/SkyServe.LoadBalancer
LB_DLL=$LB_PROJECT/bin/Release/net10.0/SkyServe.LoadBalancer.dll

log() { printf 'lb.sh: %s\n' "$*" >&2; }
die() { printf 'lb.sh: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------
# Processes: each service runs in its own session/process group, recorded in PGID[name], so that it
# (master and workers together) can be stopped or killed as a unit, and the trap can stop them all.
declare -A PGID=()
declare -A LOGF=()
declare -A JOBPID=()
WORK=''
BG_PIDS=()
STARTING='' # pid file of a process being started (interrupted before PGID has it)

group_alive() { # any non-zombie process left in process group $1?
  ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

stop_group() { # stop_group PGID: TERM, then KILL after up to 3 s
  local pg=$1 i
  kill -TERM -- "-$pg" 2>/dev/null || return 0
  for i in $(seq 1 30); do group_alive "$pg" || return 0; sleep 0.1; done
  kill -KILL -- "-$pg" 2>/dev/null || true
  for i in $(seq 1 20); do group_alive "$pg" || return 0; sleep 0.1; done
}

cleanup() {
  local rc=$? name pid
  trap - EXIT INT TERM
  for pid in "${BG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  if [ -n "$STARTING" ] && [ -s "$STARTING" ]; then stop_group "$(cat "$STARTING")"; fi
  for name in "${!PGID[@]}"; do stop_group "${PGID[$name]}"; done
  wait 2>/dev/null || true
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept configs and logs in $WORK"; else rm -rf "$WORK"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

start_proc() { # start_proc NAME CMD...: runs CMD in its own session, output to $WORK/NAME.log
  local name=$1 i; shift
  local pidf=$WORK/$name.pgid
  LOGF[$name]=$WORK/$name.log
  rm -f "$pidf"
  STARTING=$pidf
  # sh records its own pid (the new session's and process group's id), then execs CMD in place.
  setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" >"${LOGF[$name]}" 2>&1 </dev/null &
  JOBPID[$name]=$!
  for i in $(seq 1 100); do [ -s "$pidf" ] && break; sleep 0.05; done
  [ -s "$pidf" ] || die "could not start $name ($*)"
  PGID[$name]=$(cat "$pidf")
  STARTING=''
}

stop_proc() { # stop_proc NAME
  local name=$1
  [ -n "${PGID[$name]:-}" ] || return 0
  stop_group "${PGID[$name]}"
  unset "PGID[$name]"
}

kill9_proc() { # kill9_proc NAME: SIGKILL to the whole process group (nginx master and workers)
  local name=$1
  kill -KILL -- "-${PGID[$name]}" 2>/dev/null || true
  wait "${JOBPID[$name]}" 2>/dev/null || true # reap it here, quietly (no "Killed" job notice)
  unset "PGID[$name]"
}

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$1${2:-/}" 2>/dev/null || true; }

describe() {
  case "$1" in
    lb) echo "the load balancer (${LB_ARGV[*]})" ;; nginx) echo "the nginx proxy" ;;
    haproxy) echo "haproxy" ;; *) echo "$1 (nginx)" ;;
  esac
}

wait_ready() { # wait_ready NAME PORT TIMEOUT_S [LOG_LINE]: HTTP 200 on / (or LOG_LINE in its log)
  local name=$1 port=$2 timeout=$3 line=${4:-} deadline=$((SECONDS + $3)) what
  what=$(describe "$1")
  while [ "$SECONDS" -lt "$deadline" ]; do
    [ "$(http_code "$port")" = 200 ] && return 0
    if [ -n "$line" ] && grep -qF "$line" "${LOGF[$name]}" 2>/dev/null; then return 0; fi
    if ! group_alive "${PGID[$name]}"; then
      log "$what exited during start-up; last lines of its output:"
      tail -n 30 "${LOGF[$name]}" >&2 || true
      die "$what did not start"
    fi
    sleep 0.2
  done
  log "$what not ready (no HTTP 200 on http://127.0.0.1:$port/) after ${timeout}s; last lines of its output:"
  tail -n 30 "${LOGF[$name]}" >&2 || true
  die "$what did not become ready"
}

# ---------------------------------------------------------------------------------------------------
# Ports and configs
USED_PORTS=' '
port_busy() {
  if command -v ss >/dev/null 2>&1; then
    ss -Htln "sport = :$1" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}
free_port() { # free_port VAR: a free loopback port not handed out before in this run
  local p i
  for i in $(seq 1 500); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    case "$USED_PORTS" in *" $p "*) continue ;; esac
    port_busy "$p" && continue
    USED_PORTS+="$p "
    printf -v "$1" '%s' "$p"
    return 0
  done
  die "no free loopback port found"
}

render() { # render TEMPLATE OUT NAME PORT: fill in the placeholders
  sed -e "s|@NAME@|$3|g" -e "s|@PORT@|$4|g" -e "s|@A@|$PORT_A|g" -e "s|@B@|$PORT_B|g" \
    -e "s|@DIR@|$WORK|g" "$1" >"$2"
}

start_backend() { # start_backend a|b
  local name=backend-$1 port
  [ "$1" = a ] && port=$PORT_A || port=$PORT_B
  mkdir -p "$WORK/$name"
  render "$TEMPLATES/backend.nginx.conf.in" "$WORK/$name.conf" "$1" "$port"
  start_proc "$name" nginx -p "$WORK/$name/" -e "$WORK/$name.error.log" -c "$WORK/$name.conf"
  wait_ready "$name" "$port" 10
}

start_lb() {
  start_proc lb "${LB_ARGV[@]}" --listen "http://127.0.0.1:$PORT_LB" \
    --static-backends "http://127.0.0.1:$PORT_A,http://127.0.0.1:$PORT_B" --policy "$LB_POLICY"
  wait_ready lb "$PORT_LB" "$LB_READY_TIMEOUT" "SkyServe load balancer listening on http://127.0.0.1:$PORT_LB"
}

start_nginx() {
  mkdir -p "$WORK/nginx"
  render "$TEMPLATES/proxy.nginx.conf.in" "$WORK/nginx.conf" nginx "$PORT_NGINX"
  start_proc nginx nginx -p "$WORK/nginx/" -e "$WORK/nginx.error.log" -c "$WORK/nginx.conf"
  wait_ready nginx "$PORT_NGINX" 10
}

start_haproxy() {
  render "$TEMPLATES/haproxy.cfg.in" "$WORK/haproxy.cfg" haproxy "$PORT_HAPROXY"
  start_proc haproxy haproxy -db -f "$WORK/haproxy.cfg"
  wait_ready haproxy "$PORT_HAPROXY" 10
}

b_requests() { # requests served so far by backend B (nginx stub_status), or "?"
  curl -s --max-time 1 "http://127.0.0.1:$PORT_B/__bench_status" 2>/dev/null |
    awk 'prev { print $3; found = 1; exit } /accepts handled requests/ { prev = 1 } END { if (!found) print "?" }'
}

# ---------------------------------------------------------------------------------------------------
# wrk and its output
start_wrk() { # start_wrk OUT DURATION PORT: wrk in the background, its pid in WRK_PID
  wrk -t"$THREADS" -c"$CONNS" -d"$2" --timeout "$WRK_TIMEOUT" --latency "http://127.0.0.1:$3/" >"$1" 2>&1 &
  WRK_PID=$!
  BG_PIDS+=("$WRK_PID")
}
wait_wrk() {
  # `wait` returns at once on a trapped signal, so Ctrl+C runs the trap (cleanup) without delay; a
  # foreground wrk would swallow the SIGINT and the shell would carry on.
  wait "$WRK_PID" || log "wrk exited non-zero (status $?)"
  BG_PIDS=()
}
run_wrk() { # run_wrk OUT DURATION PORT
  start_wrk "$@"
  wait_wrk
}

parse_wrk() { # parse_wrk FILE -> "rps p50_ms p99_ms non2xx socket_errors requests c/r/w/t" (null: absent)
  awk '
    function ms(v,   n, u) {
      n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u)
      if (u == "us") return n / 1000; if (u == "ms") return n + 0; if (u == "s") return n * 1000
      if (u == "m") return n * 60000; if (u == "h") return n * 3600000; return ""
    }
    /^[ \t]*50%/ { p50 = ms($2) }
    /^[ \t]*99%/ { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    / requests in / { reqs = $1 }
    /Socket errors:/ { gsub(/,/, ""); se = $4 + $6 + $8 + $10; split_se = $4 "/" $6 "/" $8 "/" $10 }
    /Non-2xx or 3xx responses:/ { n2 = $5 }
    END {
      if (reqs == "" || reqs == 0) { p50 = ""; p99 = "" }
      printf "%s %s %s %d %d %s %s\n", (rps == "" ? "null" : sprintf("%.2f", rps)),
        (p50 == "" ? "null" : sprintf("%.3f", p50)), (p99 == "" ? "null" : sprintf("%.3f", p99)),
        n2, se, (reqs == "" ? "null" : reqs), (split_se == "" ? "0/0/0/0" : split_se)
    }' "$1"
}

# ---------------------------------------------------------------------------------------------------
# Setup
[ "$(uname -s)" = Linux ] || die "Linux only (uses apt-get, setsid, nginx and haproxy from Debian)"
need_install=0
for t in wrk nginx haproxy curl setsid; do command -v "$t" >/dev/null 2>&1 || need_install=1; done
if [ "$need_install" = 1 ]; then
  [ "${SKIP_INSTALL:-0}" = 1 ] && die "wrk, nginx, haproxy, curl or setsid missing and SKIP_INSTALL=1"
  command -v apt-get >/dev/null 2>&1 || die "wrk, nginx, haproxy or curl missing and no apt-get to install them"
  log "installing wrk nginx haproxy curl (apt-get)"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  { "${sudo_cmd[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq wrk nginx haproxy curl util-linux; } >&2 ||
    die "apt-get install of wrk nginx haproxy curl failed"
  # Debian's packages may start system-wide services; they are not used here (all ports are our own).
fi
for t in wrk nginx haproxy curl setsid; do command -v "$t" >/dev/null 2>&1 || die "$t not found after install"; done

LB_NOTE=''
if [ -n "${LB_CMD:-}" ]; then
  eval "LB_ARGV=($LB_CMD)"
  LB_NOTE=" (\"SkyServe LB\" is the LB_CMD override: ${LB_ARGV[*]})"
  log "load balancer: LB_CMD override: ${LB_ARGV[*]}"
else
  command -v dotnet >/dev/null 2>&1 || die "dotnet not found (needed to build and run the load balancer)"
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building src/SkyServe.LoadBalancer (Release)"
    (cd "$ROOT" && dotnet build src/SkyServe.LoadBalancer -c Release -nologo -v quiet) >&2 ||
      die "dotnet build of src/SkyServe.LoadBalancer failed"
  fi
  [ -f "$LB_DLL" ] || die "load balancer not built: $LB_DLL missing"
  LB_ARGV=(dotnet "$LB_DLL")
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

WORK=$(mktemp -d "${TMPDIR:-/tmp}/skyserve-lb-bench.XXXXXX")
export LB_BENCH_TMP=$WORK
free_port PORT_A; free_port PORT_B; free_port PORT_LB; free_port PORT_NGINX; free_port PORT_HAPROXY
log "ports: backend A $PORT_A, backend B $PORT_B, SkyServe LB $PORT_LB, nginx $PORT_NGINX, haproxy $PORT_HAPROXY"

start_backend a
start_backend b
start_lb
start_nginx
start_haproxy
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
log "all up; $(nproc) CPU(s), load average $LOADAVG; $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(haproxy -v | head -n 1 | awk '{print "haproxy " $3}')"

# ---------------------------------------------------------------------------------------------------
# Scenario 1: the same load against each target
declare -A RPS P50 P99 ERR
TARGETS=(direct lb nginx haproxy)
declare -A LABEL=([direct]="direct (backend A)" [lb]="SkyServe LB" [nginx]="nginx" [haproxy]="haproxy")
declare -A TPORT=([direct]=$PORT_A [lb]=$PORT_LB [nginx]=$PORT_NGINX [haproxy]=$PORT_HAPROXY)
for t in "${TARGETS[@]}"; do
  log "scenario 1: ${LABEL[$t]}: warm-up $WARMUP, then wrk -t$THREADS -c$CONNS -d$DURATION"
  run_wrk "$WORK/warmup-$t.txt" "$WARMUP" "${TPORT[$t]}"
  run_wrk "$WORK/wrk-$t.txt" "$DURATION" "${TPORT[$t]}"
  read -r rps p50 p99 n2 se reqs sesplit < <(parse_wrk "$WORK/wrk-$t.txt")
  [ "$rps" = null ] && { log "no wrk result for ${LABEL[$t]}:"; cat "$WORK/wrk-$t.txt" >&2; }
  RPS[$t]=$rps; P50[$t]=$p50; P99[$t]=$p99; ERR[$t]=$((n2 + se))
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "null" || b == "null" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

echo
echo "### Load balancer benchmark: wrk -t$THREADS -c$CONNS -d$DURATION, GET / (\"ok\\n\"), $(nproc) CPU(s) shared by all processes (load average before: $LOADAVG)$LB_NOTE"
echo
echo "| target | req/s | p50 ms | p99 ms | errors | req/s ÷ nginx | p99 ÷ nginx |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for t in "${TARGETS[@]}"; do
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${LABEL[$t]}" "${RPS[$t]}" "${P50[$t]}" "${P99[$t]}" \
    "${ERR[$t]}" "$(ratio "${RPS[$t]}" "${RPS[nginx]}")" "$(ratio "${P99[$t]}" "${P99[nginx]}")"
done

# ---------------------------------------------------------------------------------------------------
# Scenario 2: kill -9 backend B mid-run, per proxy
declare -A FAILED KN2 KSE KREQ KBREQ
PROXIES=(lb nginx haproxy)
for t in "${PROXIES[@]}"; do
  # Same starting point for every proxy: both backends up, the proxy freshly started and warmed up.
  [ -n "${PGID[backend-b]:-}" ] || start_backend b
  stop_proc "$t"; "start_$t"
  log "scenario 2: ${LABEL[$t]}: warm-up $WARMUP, then wrk -d$KILL_DURATION with kill -9 of backend B at ${KILL_AT}s"
  run_wrk "$WORK/kwarmup-$t.txt" "$WARMUP" "${TPORT[$t]}"
  b0=$(b_requests)
  start_wrk "$WORK/kill-$t.txt" "$KILL_DURATION" "${TPORT[$t]}"
  sleep "$KILL_AT"
  b1=$(b_requests)
  kill9_proc backend-b
  wait_wrk
  read -r rps p50 p99 n2 se reqs sesplit < <(parse_wrk "$WORK/kill-$t.txt")
  [ "$reqs" = null ] && { log "no wrk result for ${LABEL[$t]} (kill scenario):"; cat "$WORK/kill-$t.txt" >&2; }
  KN2[$t]=$n2; KSE[$t]=$sesplit; KREQ[$t]=$reqs; FAILED[$t]=$((n2 + se))
  if [[ "$b0" =~ ^[0-9]+$ && "$b1" =~ ^[0-9]+$ ]]; then KBREQ[$t]=$((b1 - b0 - 1)); else KBREQ[$t]='?'; fi
  [ "${KBREQ[$t]}" = 0 ] && log "warning: ${LABEL[$t]} sent no requests to backend B before the kill"
done

echo
echo "### Kill one backend mid-run: wrk -t$THREADS -c$CONNS -d$KILL_DURATION, kill -9 of backend B at ${KILL_AT}s$LB_NOTE"
echo
echo "| proxy | requests | reqs to B before kill | non-2xx | socket errors (connect/read/write/timeout) | failed requests |"
echo "|---|---:|---:|---:|---:|---:|"
for t in "${PROXIES[@]}"; do
  printf '| %s | %s | %s | %s | %s | %s |\n' "${LABEL[$t]}" "${KREQ[$t]}" "${KBREQ[$t]}" "${KN2[$t]}" \
    "${KSE[$t]}" "${FAILED[$t]}"
done
echo

printf '{"direct_rps":%s,"lb_rps":%s,"nginx_rps":%s,"haproxy_rps":%s,' \
  "${RPS[direct]}" "${RPS[lb]}" "${RPS[nginx]}" "${RPS[haproxy]}"
printf '"direct_p50_ms":%s,"lb_p50_ms":%s,"nginx_p50_ms":%s,"haproxy_p50_ms":%s,' \
  "${P50[direct]}" "${P50[lb]}" "${P50[nginx]}" "${P50[haproxy]}"
printf '"direct_p99_ms":%s,"lb_p99_ms":%s,"nginx_p99_ms":%s,"haproxy_p99_ms":%s,' \
  "${P99[direct]}" "${P99[lb]}" "${P99[nginx]}" "${P99[haproxy]}"
printf '"failed_on_kill":%s,"nginx_failed_on_kill":%s,"haproxy_failed_on_kill":%s}\n' \
  "${FAILED[lb]}" "${FAILED[nginx]}" "${FAILED[haproxy]}"
