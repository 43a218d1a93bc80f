#!/usr/bin/env bash
# bench/lb-profile.sh: where the load balancer's CPU goes per request (issue 19). Run from the repo root:
#   bash bench/lb-profile.sh [get|post|sse]
#
# Starts the two nginx backends of bench/lb.sh, the load balancer (Release build, static-backends mode) and the nginx
# proxy, warms both up, then under the same wrk load measures, for each proxy, the CPU it spent per request (from
# /proc, its processes only) and, for the load balancer, its allocation rate and GC count (dotnet-counters) and a CPU
# sample profile (dotnet-trace collect-linux, perf_events: needs root). Prints the per-request costs and the top
# frames by inclusive CPU grouped into layers (kernel network stack, thread pool, Kestrel, HttpClient, YARP, JSON,
# this load balancer's own code). Not a timed test: numbers are relative to the nginx proxy in the same run.
# Settings: DURATION=10 (seconds measured), WARMUP=12, CONNS=64, LB_ENV="K=V ..." (extra environment), KEEP_TMP=1.
set -euo pipefail

SCENARIO=${1:-get}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-12}
CONNS=${CONNS:-64}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEMPLATES=$ROOT/bench/lb
LB_DLL=$ROOT/src/SkyServe.LoadBalancer/bin/Release/net10.0/SkyServe.LoadBalancer.dll
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so
log() { printf 'lb-profile.sh: %s\n' "$*" >&2; }
die() { printf 'lb-profile.sh: error: %s\n' "$*" >&2; exit 1; }

for t in wrk nginx python3 dotnet; do command -v "$t" >/dev/null || die "$t missing (bash bench/lb.sh installs wrk and nginx)"; done
[ -f "$ECHO_MODULE" ] || die "nginx's echo module missing (bash bench/lb.sh installs it)"
case "$SCENARIO" in get) path=/; script=() ;; post) path=/v1/chat/completions; script=(-s) ;;
  sse) path='/v1/chat/completions?sse=1'; script=(-s) ;; *) die "scenario: get, post or sse" ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/skyserve-lb-profile.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
start() { # start NAME CMD...: in its own process group; its pid (the group's id) in PIDS and in $WORK/NAME.pid
  local name=$1; shift
  setsid "$@" >"$WORK/$name.log" 2>&1 </dev/null &
  PIDS+=($!)
  echo $! >"$WORK/$name.pid"
}
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ready() { local i; for i in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.2; done; die "nothing answers on $1"; }
render() { sed -e "s|@NAME@|$3|g" -e "s|@PORT@|$4|g" -e "s|@A@|$A|g" -e "s|@B@|$B|g" -e "s|@DIR@|$WORK|g" \
  -e "s|@WORKERS@|$(nproc)|g" -e "s|@ECHO_MODULE@|$ECHO_MODULE|g" "$1" >"$2"; }

[ "${SKIP_BUILD:-0}" = 1 ] || (cd "$ROOT" && dotnet build src/SkyServe.LoadBalancer -c Release -nologo -v quiet >&2) || die "build failed"
(cd "$ROOT" && dotnet tool restore >/dev/null) || die "dotnet tool restore failed (dotnet-trace, dotnet-counters)"
python3 "$TEMPLATES/llm_files.py" "$WORK/llm"
ln -s "$WORK/llm/llm-answers.conf" "$WORK/llm-answers.conf"
A=$(port); B=$(port); LB=$(port); NG=$(port)
for n in a b; do
  mkdir -p "$WORK/backend-$n"
  render "$TEMPLATES/backend.nginx.conf.in" "$WORK/backend-$n.conf" "$n" "$([ $n = a ] && echo "$A" || echo "$B")"
  start "backend-$n" nginx -p "$WORK/backend-$n/" -e "$WORK/backend-$n.err" -c "$WORK/backend-$n.conf"
done
mkdir -p "$WORK/nginx"; render "$TEMPLATES/proxy.nginx.conf.in" "$WORK/nginx.conf" nginx "$NG"
start nginx nginx -p "$WORK/nginx/" -e "$WORK/nginx.err" -c "$WORK/nginx.conf"
read -r -a lb_env <<<"${LB_ENV:-}"
start lb env "${lb_env[@]}" dotnet "$LB_DLL" --listen "http://127.0.0.1:$LB" --static-backends "http://127.0.0.1:$A,http://127.0.0.1:$B"
for p in "$A" "$B" "$NG" "$LB"; do ready "$p"; done
[ "${#script[@]}" -eq 0 ] || script=(-s "$WORK/llm/$SCENARIO.lua")

group_ticks() { # CPU ticks (user + system) of every process in group $1
  ps -e -o pgid=,pid= | awk -v g="$1" '$1 == g { print $2 }' | while read -r p; do cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null; done |
    awk '{ t += $1 + $2 } END { print t + 0 }'
}
measure() { # measure NAME PORT: req/s and CPU µs per request of the group NAME
  local pg t0 t1 n rps
  pg=$(cat "$WORK/$1.pid")
  wrk -t2 -c"$CONNS" -d"${WARMUP}s" "${script[@]}" "http://127.0.0.1:$2$path" >/dev/null
  t0=$(group_ticks "$pg")
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "${script[@]}" "http://127.0.0.1:$2$path" >"$WORK/wrk-$1.txt"
  t1=$(group_ticks "$pg")
  n=$(awk '/ requests in /{ print $1 }' "$WORK/wrk-$1.txt"); rps=$(awk '/^Requests\/sec:/{ print $2 }' "$WORK/wrk-$1.txt")
  awk -v name="$1" -v n="$n" -v rps="$rps" -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%-6s %10.0f req/s  %6.1f µs CPU per request\n", name, rps, ticks * 1e6 / hz / n }'
}

echo "### Where the load balancer's CPU goes: $SCENARIO, wrk -t2 -c$CONNS, ${DURATION}s after a ${WARMUP}s warm-up, $(nproc) CPU(s)"
echo
measure nginx "$NG"
measure lb "$LB"
lbpid=$(pgrep -f "SkyServe.LoadBalancer.dll --listen http://127.0.0.1:$LB" | head -n 1)

log "counters and CPU samples of the load balancer (pid $lbpid) under the same load"
wrk -t2 -c"$CONNS" -d"$((2 * DURATION + 6))s" "${script[@]}" "http://127.0.0.1:$LB$path" >"$WORK/wrk-profile.txt" &
PIDS+=($!)
sleep 2
(cd "$ROOT" && dotnet tool run dotnet-counters -- collect -p "$lbpid" --counters System.Runtime --format csv -o "$WORK/counters.csv" \
  --duration "00:00:00:$DURATION" >/dev/null 2>&1) || log "dotnet-counters failed"
(cd "$ROOT" && dotnet tool run dotnet-trace -- collect-linux -p "$lbpid" --profile cpu-sampling --duration "00:00:00:$DURATION" \
  -o "$WORK/cpu.nettrace" >"$WORK/trace.log" 2>&1) || { log "dotnet-trace collect-linux failed (root and perf_events needed):"; tail -3 "$WORK/trace.log" >&2; }
wait "${PIDS[-1]}" 2>/dev/null || true
rps=$(awk '/^Requests\/sec:/{ print $2 }' "$WORK/wrk-profile.txt")

if [ -s "$WORK/counters.csv" ]; then
  echo
  awk -F, -v rps="$rps" '
    $3 ~ /dotnet.gc.heap.total_allocated/ { alloc += $NF; na++ } # bytes per second, one sample a second
    $3 ~ /dotnet.gc.collections/ { gcs += $NF }
    $3 ~ /dotnet.thread_pool.queue.length/ { q += $NF; nq++ }
    $3 ~ /dotnet.monitor.lock_contentions/ { lc += $NF }
    END {
      if (na > 0) printf "allocated per request: %.0f bytes\n", alloc / na / rps
      printf "GC collections (all generations): %d; lock contentions: %d; thread-pool queue length (mean): %.1f\n", gcs, lc, (nq ? q / nq : 0)
    }' "$WORK/counters.csv"
fi
if [ -s "$WORK/cpu.nettrace" ]; then
  (cd "$ROOT" && dotnet tool run dotnet-trace -- report "$WORK/cpu.nettrace" topN -n 400 --inclusive) >"$WORK/top.txt" 2>&1 || true
  echo
  echo "| layer (inclusive CPU of its top frame) | share of the load balancer's CPU |"
  echo "|---|---:|"
  # The largest inclusive share of any frame matching each layer: layers nest, so the shares do not add up to 100%.
  awk '
    function layer(name, pattern,   i, best) { best = 0; for (i = 1; i <= n; i++) if (frame[i] ~ pattern && share[i] > best) best = share[i]
      printf "| %s | %.1f%% |\n", name, best }
    /^[0-9]+\./ { line = $0; sub(/^[0-9]+\.[ ]+/, "", line); match(line, /[0-9.]+%/); if (RSTART) { frame[++n] = substr(line, 1, RSTART - 1); share[n] = substr(line, RSTART, RLENGTH - 1) + 0 } }
    END {
      layer("kernel: sending (TCP over loopback, the receiver woken)", "vmlinux!__x64_sys_sendto")
      layer("kernel: receiving", "vmlinux!__x64_sys_recvfrom")
      layer("kernel: epoll_wait", "vmlinux!__x64_sys_epoll_wait")
      layer("thread pool: dispatching work items", "ThreadPoolWorkQueue::Dispatch")
      layer("thread pool: spinning and waiting", "LowLevelLifoSemaphore::Wait")
      layer("Kestrel: parsing requests", "Http1Connection::TryParseRequest")
      layer("ASP.NET Core hosting: a context per request", "HostingApplication::CreateContext")
      layer("HttpClient: a request to the replica", "HttpConnectionPoolManager::SendAsync")
      layer("YARP: IHttpForwarder.SendAsync", "Forwarder.HttpForwarder\\+<SendAsync>")
      layer("YARP: copying the response body", "StreamCopier")
      layer("System.Uri: the destination URI per request", "System.Uri::CreateThis")
      layer("JSON: parsing (System.Text.Json)", "Json.JsonDocument::Parse|Utf8JsonReader::Read")
      layer("this load balancer: ProxyHandler (all it awaits included)", "Forwarding.ProxyHandler\\+<HandleAsync>")
      layer("this load balancer: resumable completions", "Resumption.ResumingForwarder\\+<AttemptAsync>")
      layer("JIT compiler", "libclrjit.so")
    }' "$WORK/top.txt"
  echo
  echo "The trace's 40 top frames by inclusive CPU are in $WORK/top.txt with KEEP_TMP=1."
fi
