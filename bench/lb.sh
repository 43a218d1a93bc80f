#!/usr/bin/env bash
# bench/lb.sh: load-balancer benchmark (issues 5 and 19). Run from the repo root: bash bench/lb.sh
#
# What it measures. Two local backends (each its own nginx with one worker) sit behind three proxies:
# (b) the SkyServe load balancer in its static-backends mode (policy least_load), started as
# `local start` starts it (bench/lb/lb-env.sh: the runtime settings it ships with), (c) nginx
# (least_conn, upstream keepalive, proxy_next_upstream, unbuffered /v1/) and (d) HAProxy (leastconn,
# retries 3, option redispatch, http-reuse always). nginx gets as many worker processes and HAProxy
# as many threads as the machine has cores, all of which the load balancer may use. Everything
# listens on 127.0.0.1 only.
#   1. Throughput/latency, three kinds of traffic, the same wrk load against (a) backend A directly,
#      (b), (c) and (d):
#        get   GET / answered "ok\n" (the proxy's own cost per request, nothing else);
#        post  POST /v1/chat/completions with a 2 KB JSON chat body, answered by a 1 KB JSON completion;
#        sse   the same body with "stream": true, answered by an SSE stream of 200 chat.completion.chunk
#              events and `data: [DONE]`, each event flushed on its own.
#      The load balancer takes chat completions through its resumable path (it reads every answer to
#      be able to continue it elsewhere), as it does in service. ROUNDS rounds; in each, every
#      scenario runs against every target, in an order that rotates from round to round, so that a
#      noisy moment does not always hit the same proxy. Each target's first run of a scenario follows
#      a FIRST_WARMUP warm-up (the .NET JIT's tiers settle in about 10 s), every later one a WARMUP.
#      The tables give medians over the rounds, and the ratio to nginx as its median over the rounds
#      with the lowest and highest round beside it ("req/s ÷ nginx" above 1 is better than nginx,
#      "p99 ÷ nginx" below 1 is better). The direct row is the ceiling: the backend alone.
#   2. Time to first token: bench/lb/ttfb.py sends TTFB_COUNT streaming chat completions one after
#      another (an idle machine: the proxy hop's own latency, not queueing) to each target per round
#      and times the first `data:` event; "added" is the target's percentile minus the direct one's
#      in the same round, median over the rounds.
#   3. Kill one backend mid-run: for each proxy in turn (freshly restarted, both backends up), a
#      KILL_DURATION wrk run of GET / during which backend B (its nginx master and worker) gets
#      kill -9 at KILL_AT seconds. The table counts the client requests that failed (non-2xx +
#      socket errors). A proxy that retries a failed attempt on the other replica scores 0; "reqs to B
#      before kill" shows that B really was taking traffic when it died.
# All processes share this machine's cores (wrk too), so read the numbers relative to one another,
# not as absolute capacity. Progress goes to stderr; the tables and, as the very last line, one
# JSON object with the headline numbers (medians over the rounds) go to stdout
# (`bash bench/lb.sh | tail -1` for the JSON): the GET scenario's keys as before (`lb_rps`,
# `nginx_rps`, `lb_p99_ms`, ..., `failed_on_kill`), the same with `post_` and `sse_` prefixes,
# `*_rps_ratio` / `*_p99_ratio` (median ratios to nginx) and `sse_added_ttfb_p50_ms` /
# `sse_added_ttfb_p99_ms` (the load balancer's added time to first token over direct).
#
# Settings (environment variables):
#   ROUNDS=3            rounds                              SCENARIOS="get post sse"
#   DURATION=10s        measured wrk run per target         WARMUP=2s      discarded warm-up run
#   FIRST_WARMUP=10s    warm-up before a target's first run of a scenario
#   THREADS=2 CONNS=64  wrk threads and connections        WRK_TIMEOUT=2s wrk request timeout
#   TTFB_COUNT=1000     streams per target and round for the time to first token (0: skip)
#   KILL_DURATION=6s    kill-scenario run length           KILL_AT=2      seconds before kill -9 of B
#   SKIP_KILL=1         leave the kill scenario out (its JSON keys are then null)
#   LB_CMD=...          command prefix that starts the load balancer; lb.sh appends
#                       `--listen http://127.0.0.1:PORT --static-backends http://127.0.0.1:A,http://127.0.0.1:B
#                       --policy least_load`. Default: dotnet on the Release build of
#                       src/SkyServe.LoadBalancer (built first) with bench/lb/lb-env.sh's settings.
#                       To test the script without it:
#                       LB_CMD="bash bench/lb/standin-lb.sh" bash bench/lb.sh   (nginx stand-in)
#   LB_ENV="K=V ..."    extra environment for the load balancer (to try a runtime setting)
#   SKIP_BUILD=1        use the existing Release build      SKIP_INSTALL=1 do not apt-get install
#   LB_READY_TIMEOUT=60 seconds to wait for the load balancer   KEEP_TMP=1 keep configs and logs
# Exit status: 0 when the benchmark ran (whatever its numbers); 1 on a setup failure (tools missing,
# build failed, a process did not start, a target answering a scenario wrongly), with a message on stderr.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
SCENARIOS=${SCENARIOS:-get post sse}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
FIRST_WARMUP=${FIRST_WARMUP:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
WRK_TIMEOUT=${WRK_TIMEOUT:-2s}
TTFB_COUNT=${TTFB_COUNT:-1000}
KILL_DURATION=${KILL_DURATION:-6s}
KILL_AT=${KILL_AT:-2}
LB_READY_TIMEOUT=${LB_READY_TIMEOUT:-60}
LB_POLICY=${LB_POLICY:-least_load}
WORKERS=$(nproc)
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so

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
    -e "s|@DIR@|$WORK|g" -e "s|@WORKERS@|$WORKERS|g" -e "s|@ECHO_MODULE@|$ECHO_MODULE|g" "$1" >"$2"
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
  start_proc lb env "${LB_ENV_ARGS[@]}" "${LB_ARGV[@]}" --listen "http://127.0.0.1:$PORT_LB" \
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
start_wrk() { # start_wrk OUT DURATION PORT [SCENARIO]: wrk in the background, its pid in WRK_PID
  local scenario=${4:-get} script=()
  [ "$scenario" = get ] || script=(-s "$WORK/llm/$scenario.lua")
  wrk -t"$THREADS" -c"$CONNS" -d"$2" --timeout "$WRK_TIMEOUT" --latency "${script[@]}" "http://127.0.0.1:$3${SCENARIO_PATH[$scenario]}" >"$1" 2>&1 &
  WRK_PID=$!
  BG_PIDS+=("$WRK_PID")
}
wait_wrk() {
  # `wait` returns at once on a trapped signal, so Ctrl+C runs the trap (cleanup) without delay; a
  # foreground wrk would swallow the SIGINT and the shell would carry on.
  wait "$WRK_PID" || log "wrk exited non-zero (status $?)"
  BG_PIDS=()
}
run_wrk() { # run_wrk OUT DURATION PORT [SCENARIO]
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
for t in wrk nginx haproxy curl setsid python3; do command -v "$t" >/dev/null 2>&1 || need_install=1; done
[ -f "$ECHO_MODULE" ] || need_install=1
if [ "$need_install" = 1 ]; then
  [ "${SKIP_INSTALL:-0}" = 1 ] && die "wrk, nginx, its echo module, haproxy, curl, setsid or python3 missing and SKIP_INSTALL=1"
  command -v apt-get >/dev/null 2>&1 || die "wrk, nginx, haproxy, curl or python3 missing and no apt-get to install them"
  log "installing wrk nginx libnginx-mod-http-echo haproxy curl python3 (apt-get)"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  { "${sudo_cmd[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq wrk nginx libnginx-mod-http-echo haproxy curl util-linux python3; } >&2 ||
    die "apt-get install of wrk nginx libnginx-mod-http-echo haproxy curl python3 failed"
  # Debian's packages may start system-wide services; they are not used here (all ports are our own).
fi
for t in wrk nginx haproxy curl setsid python3; do command -v "$t" >/dev/null 2>&1 || die "$t not found after install"; done
[ -f "$ECHO_MODULE" ] || die "nginx's echo module ($ECHO_MODULE) not found after install"

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
read -r -a LB_ENV_ARGS <<<"${LB_ENV:-}"
[ "${#LB_ENV_ARGS[@]}" -gt 0 ] && LB_NOTE+=" (load balancer environment: ${LB_ENV_ARGS[*]})"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

WORK=$(mktemp -d "${TMPDIR:-/tmp}/skyserve-lb-bench.XXXXXX")
export LB_BENCH_TMP=$WORK
python3 "$TEMPLATES/llm_files.py" "$WORK/llm" || die "could not write the LLM-shaped requests and answers"
ln -s "$WORK/llm/llm-answers.conf" "$WORK/llm-answers.conf"
declare -A SCENARIO_PATH=([get]=/ [post]=/v1/chat/completions [sse]='/v1/chat/completions?sse=1')
declare -A SCENARIO_TITLE=([get]='GET / ("ok\n")' [post]='POST /v1/chat/completions, 2 KB JSON body, 1 KB JSON answer'
  [sse]='POST /v1/chat/completions with "stream": true, 2 KB body, SSE answer of 200 events + [DONE]')
for s in $SCENARIOS; do [ -n "${SCENARIO_PATH[$s]:-}" ] || die "unknown scenario '$s' in SCENARIOS (get, post, sse)"; done
free_port PORT_A; free_port PORT_B; free_port PORT_LB; free_port PORT_NGINX; free_port PORT_HAPROXY
log "ports: backend A $PORT_A, backend B $PORT_B, SkyServe LB $PORT_LB, nginx $PORT_NGINX, haproxy $PORT_HAPROXY"

start_backend a
start_backend b
start_lb
start_nginx
start_haproxy
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
log "all up; $WORKERS CPU(s), load average $LOADAVG; $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(haproxy -v | head -n 1 | awk '{print "haproxy " $3}')"

TARGETS=(direct lb nginx haproxy)
declare -A LABEL=([direct]="direct (backend A)" [lb]="SkyServe LB" [nginx]="nginx" [haproxy]="haproxy")
declare -A TPORT=([direct]=$PORT_A [lb]=$PORT_LB [nginx]=$PORT_NGINX [haproxy]=$PORT_HAPROXY)

# Every target must answer every scenario as a client expects before anything is timed.
check_answers() { # check_answers TARGET
  local port=${TPORT[$1]} out
  out=$(curl -s --max-time 5 "http://127.0.0.1:$port/") && [ "$out" = ok ] || die "${LABEL[$1]}: GET / answered '$out'"
  out=$(curl -s --max-time 5 -H 'Content-Type: application/json' --data-binary "@$WORK/llm/chat.json" \
    "http://127.0.0.1:$port/v1/chat/completions")
  [[ "$out" == *'"object": "chat.completion"'* ]] || die "${LABEL[$1]}: the chat completion answered '${out:0:200}'"
  out=$(curl -s -N --max-time 5 -H 'Content-Type: application/json' --data-binary "@$WORK/llm/chat-stream.json" \
    "http://127.0.0.1:$port/v1/chat/completions?sse=1")
  [ "$(grep -c '^data: {' <<<"$out")" = 200 ] && [[ "$out" == *'data: [DONE]'* ]] ||
    die "${LABEL[$1]}: the streamed chat completion did not bring 200 events and [DONE]: '${out:0:200}'"
}
for t in "${TARGETS[@]}"; do check_answers "$t"; done

# ---------------------------------------------------------------------------------------------------
# Scenario runs: ROUNDS rounds, the targets' order rotating from round to round
median() { tr ' ' '\n' | awk 'NF && $1 != "null"' | sort -g | awk '{ v[++n] = $1 } END { if (!n) { print "null"; exit }
  printf "%.3f\n", (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'; }
minmax() { tr ' ' '\n' | awk 'NF && $1 != "null"' | sort -g | awk '{ v[++n] = $1 } END { if (!n) { print "n/a"; exit }
  printf "%.2f–%.2f\n", v[1], v[n] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "null" || b == "null" || b + 0 == 0) print "null"; else printf "%.3f", a / b }'; }
rotated() { local r=$1 n=${#TARGETS[@]} i; for ((i = 0; i < n; i++)); do echo "${TARGETS[$(((i + r) % n))]}"; done; }

declare -A RPS P50 P99 ERR WARMED TTFB50 TTFB99 TTFBFAIL
for ((round = 1; round <= ROUNDS; round++)); do
  for s in $SCENARIOS; do
    for t in $(rotated "$round"); do
      warm=$WARMUP
      [ -n "${WARMED[$s,$t]:-}" ] || { warm=$FIRST_WARMUP; WARMED[$s,$t]=1; }
      log "round $round/$ROUNDS, $s: ${LABEL[$t]}: warm-up $warm, then wrk -t$THREADS -c$CONNS -d$DURATION"
      run_wrk "$WORK/warmup-$s-$t-$round.txt" "$warm" "${TPORT[$t]}" "$s"
      run_wrk "$WORK/wrk-$s-$t-$round.txt" "$DURATION" "${TPORT[$t]}" "$s"
      read -r rps p50 p99 n2 se reqs sesplit < <(parse_wrk "$WORK/wrk-$s-$t-$round.txt")
      [ "$rps" = null ] && { log "no wrk result for ${LABEL[$t]} ($s):"; cat "$WORK/wrk-$s-$t-$round.txt" >&2; }
      RPS[$s,$t]+="$rps "; P50[$s,$t]+="$p50 "; P99[$s,$t]+="$p99 "; ERR[$s,$t]=$((${ERR[$s,$t]:-0} + n2 + se))
      RPS[$s,$t,$round]=$rps; P99[$s,$t,$round]=$p99
    done
  done
  if [ "$TTFB_COUNT" -gt 0 ]; then
    for t in $(rotated "$round"); do
      log "round $round/$ROUNDS, time to first token: ${LABEL[$t]}: $TTFB_COUNT streams one after another"
      read -r t50 t99 tfail < <(python3 "$TEMPLATES/ttfb.py" "${TPORT[$t]}" "$TTFB_COUNT" "$WORK/llm/chat-stream.json")
      TTFB50[$t,$round]=$t50; TTFB99[$t,$round]=$t99; TTFBFAIL[$t]=$((${TTFBFAIL[$t]:-0} + tfail))
    done
  fi
done

# Per scenario and target: medians over the rounds; per proxy: the per-round ratios to nginx.
declare -A MRPS MP50 MP99 RR PR RRSPREAD PRSPREAD
for s in $SCENARIOS; do
  for t in "${TARGETS[@]}"; do
    MRPS[$s,$t]=$(median <<<"${RPS[$s,$t]}"); MP50[$s,$t]=$(median <<<"${P50[$s,$t]}"); MP99[$s,$t]=$(median <<<"${P99[$s,$t]}")
    rr='' pr=''
    for ((round = 1; round <= ROUNDS; round++)); do
      rr+="$(ratio "${RPS[$s,$t,$round]}" "${RPS[$s,nginx,$round]}") "
      pr+="$(ratio "${P99[$s,$t,$round]}" "${P99[$s,nginx,$round]}") "
    done
    RR[$s,$t]=$(median <<<"$rr"); PR[$s,$t]=$(median <<<"$pr")
    RRSPREAD[$s,$t]=$(minmax <<<"$rr"); PRSPREAD[$s,$t]=$(minmax <<<"$pr")
  done
done

two() { awk -v v="$1" 'BEGIN { if (v == "null") print "n/a"; else printf "%.2f", v }'; }
for s in $SCENARIOS; do
  echo
  echo "### Load balancer benchmark, $s: ${SCENARIO_TITLE[$s]}; wrk -t$THREADS -c$CONNS -d$DURATION, median of $ROUNDS rounds; $WORKERS CPU(s) shared by all processes (load average before: $LOADAVG)$LB_NOTE"
  echo
  echo "| target | req/s | p50 ms | p99 ms | errors | req/s ÷ nginx (lowest–highest round) | p99 ÷ nginx (lowest–highest round) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for t in "${TARGETS[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s (%s) | %s (%s) |\n' "${LABEL[$t]}" "${MRPS[$s,$t]}" "${MP50[$s,$t]}" "${MP99[$s,$t]}" \
      "${ERR[$s,$t]}" "$(two "${RR[$s,$t]}")" "${RRSPREAD[$s,$t]}" "$(two "${PR[$s,$t]}")" "${PRSPREAD[$s,$t]}"
  done
done

declare -A ADD50 ADD99 MT50 MT99
if [ "$TTFB_COUNT" -gt 0 ]; then
  for t in "${TARGETS[@]}"; do
    a50='' a99='' m50='' m99=''
    for ((round = 1; round <= ROUNDS; round++)); do
      m50+="${TTFB50[$t,$round]} "; m99+="${TTFB99[$t,$round]} "
      a50+="$(awk -v a="${TTFB50[$t,$round]}" -v b="${TTFB50[direct,$round]}" 'BEGIN { if (a == "null" || b == "null") print "null"; else printf "%.3f", a - b }') "
      a99+="$(awk -v a="${TTFB99[$t,$round]}" -v b="${TTFB99[direct,$round]}" 'BEGIN { if (a == "null" || b == "null") print "null"; else printf "%.3f", a - b }') "
    done
    MT50[$t]=$(median <<<"$m50"); MT99[$t]=$(median <<<"$m99"); ADD50[$t]=$(median <<<"$a50"); ADD99[$t]=$(median <<<"$a99")
  done
  echo
  echo "### Time to first token: $TTFB_COUNT streamed chat completions one after another per target and round, median of $ROUNDS rounds$LB_NOTE"
  echo
  echo "| target | TTFB p50 ms | TTFB p99 ms | added p50 ms over direct | added p99 ms over direct | failed streams |"
  echo "|---|---:|---:|---:|---:|---:|"
  for t in "${TARGETS[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s |\n' "${LABEL[$t]}" "${MT50[$t]}" "${MT99[$t]}" "${ADD50[$t]}" "${ADD99[$t]}" "${TTFBFAIL[$t]}"
  done
fi

# ---------------------------------------------------------------------------------------------------
# Kill one backend mid-run, per proxy
declare -A FAILED=([lb]=null [nginx]=null [haproxy]=null) KN2 KSE KREQ KBREQ
PROXIES=(lb nginx haproxy)
[ "${SKIP_KILL:-0}" = 1 ] && PROXIES=()
for t in "${PROXIES[@]}"; do
  # Same starting point for every proxy: both backends up, the proxy freshly started and warmed up.
  [ -n "${PGID[backend-b]:-}" ] || start_backend b
  stop_proc "$t"; "start_$t"
  log "kill scenario: ${LABEL[$t]}: warm-up $WARMUP, then wrk -d$KILL_DURATION with kill -9 of backend B at ${KILL_AT}s"
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

[ "${#PROXIES[@]}" -gt 0 ] && {
echo
echo "### Kill one backend mid-run: wrk -t$THREADS -c$CONNS -d$KILL_DURATION, GET /, kill -9 of backend B at ${KILL_AT}s$LB_NOTE"
echo
echo "| proxy | requests | reqs to B before kill | non-2xx | socket errors (connect/read/write/timeout) | failed requests |"
echo "|---|---:|---:|---:|---:|---:|"
for t in "${PROXIES[@]}"; do
  printf '| %s | %s | %s | %s | %s | %s |\n' "${LABEL[$t]}" "${KREQ[$t]}" "${KBREQ[$t]}" "${KN2[$t]}" \
    "${KSE[$t]}" "${FAILED[$t]}"
done
}
echo

# The JSON line: the GET scenario's keys unprefixed (as before issue 19), the others prefixed by their name.
json='{'
for s in $SCENARIOS; do
  prefix=''; [ "$s" = get ] || prefix="${s}_"
  for t in "${TARGETS[@]}"; do json+="\"${prefix}${t}_rps\":${MRPS[$s,$t]},"; done
  for t in "${TARGETS[@]}"; do json+="\"${prefix}${t}_p50_ms\":${MP50[$s,$t]},"; done
  for t in "${TARGETS[@]}"; do json+="\"${prefix}${t}_p99_ms\":${MP99[$s,$t]},"; done
  for t in lb haproxy; do json+="\"${prefix}${t}_rps_ratio\":${RR[$s,$t]},\"${prefix}${t}_p99_ratio\":${PR[$s,$t]},"; done
done
if [ "$TTFB_COUNT" -gt 0 ]; then
  json+="\"sse_added_ttfb_p50_ms\":${ADD50[lb]},\"sse_added_ttfb_p99_ms\":${ADD99[lb]},"
  json+="\"nginx_sse_added_ttfb_p99_ms\":${ADD99[nginx]},\"haproxy_sse_added_ttfb_p99_ms\":${ADD99[haproxy]},"
fi
json+="\"rounds\":$ROUNDS,\"failed_on_kill\":${FAILED[lb]},\"nginx_failed_on_kill\":${FAILED[nginx]},\"haproxy_failed_on_kill\":${FAILED[haproxy]}}"
echo "$json"
