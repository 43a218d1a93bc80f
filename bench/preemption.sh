#!/usr/bin/env bash
# bench/preemption.sh: preemption-proof generation (issue 18, item 4): token-level resumption in the load balancer
# against the SkyServe-like baseline, in one run. Not a test.
# Run from anywhere: bash bench/preemption.sh [options]   (quick check: bash bench/preemption.sh --duration-s 60)
#
# What runs, all on loopback:
#   - the real controller (Release build) with the local runtime, SQLite, its zone file made here: three spot zones of
#     the local catalog (aws us-east-1a, us-east-1b, us-west-2a) that replay the AWS2 capacity traces of ../shared/traces
#     (us-east-2b, us-west-2a, us-west-2c; read in place, never copied), compressed --compression times (simulated seconds per real second), notices --notice-s simulated seconds
#     ahead, from --trace-offset-hours;
#   - one service of --replicas tiny-chat replicas (models/tiny-chat, the agent's CPU engine), spot with SpotHedge
#     (num_overprovision 1, dynamic on-demand fallback, and 2 on-demand replicas always: when every zone is dry at once
#     there is still somewhere to resume, for both load balancers alike), so the market preempts its spot replicas (with notice: the agent refuses new
#     generations and hands over those that cannot finish before the deadline), and the script SIGKILLs a random live
#     spot replica agent every --kill-every-s seconds (preemption without notice: the replica just dies);
#   - two load balancers following that controller, --max-attempts 6 each: one as built (resumption on), one with
#     --no-resume (the baseline: a stream cut mid-answer fails, as SkyServe's does);
#   - before that, one agent alone on models/tiny-chat, which nothing preempts: the reference answer of every prompt.
# Load: bench/preemption/load.py, --concurrency clients per load balancer for --duration-s, each sending one streamed
# greedy chat completion after the other (temperature 0, ignore_eos, --max-tokens tokens, prompts in turn), both load
# balancers at once over the same replicas and the same preemptions.
# Per load balancer: requests; client-visible failures (not 200, an error event, no [DONE], a reset); texts that differ
# from the reference; TTFT and end-to-end p50/p90/p99 of the requests that succeeded.
# Preemptions: machines of the run that got a notice (machines.json of the local runtime) and agents the script killed.
#
# Options: --duration-s 300  --concurrency 8  --max-tokens 160  --replicas 4  --compression 300  --notice-s 600
#   --trace-offset-hours 0  --kill-every-s 15  --warmup-timeout-s 300
#   At x300 one 300 s trace sample passes every second, so a 300 s run plays 25 trace hours (the three zones' capacity
#   drops below 3 some 20 times in the first 25 hours of AWS2, and all three are dry at once for about 40 samples), and
#   a notice of 600 simulated seconds leaves 2 s of real time.
# Environment: SKIP_BUILD=1 use the existing Release builds; KEEP_TMP=1 keep the work folder (logs, results).
# Output: progress on stderr; a Markdown table on stdout, then, as the very last line, one JSON object (`... | tail -1`):
#   requests, preemptions, preemptions_with_notice, failures, mismatches, p50_s, p99_s (resumption on),
#   baseline_failures, baseline_mismatches, baseline_p99_s.
# Exit status 0 when it ran (whatever the figures), 1 when the run failed, 2 on a bad option, 130 when interrupted.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRACES=$ROOT/../shared/traces
CONTROLLER_DLL=$ROOT/src/SkyServe.Controller/bin/Release/net10.0/SkyServe.Controller.dll
LB_DLL=$ROOT/src/SkyServe.LoadBalancer/bin/Release/net10.0/SkyServe.LoadBalancer.dll
AGENT_DLL=$ROOT/src/SkyServe.ReplicaAgent/bin/Release/net10.0/SkyServe.ReplicaAgent.dll
LOAD=$ROOT/bench/preemption/load.py
SERVICE=preempt

DURATION=300 CONCURRENCY=8 MAX_TOKENS=160 REPLICAS=4 COMPRESSION=300 NOTICE=600 OFFSET=0 KILL_EVERY=15 WARMUP=300

log() { printf 'preemption.sh: %s\n' "$*" >&2; }
die() { printf 'preemption.sh: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo pipefail/{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
    --duration-s) DURATION=$2 ;; --concurrency) CONCURRENCY=$2 ;; --max-tokens) MAX_TOKENS=$2 ;;
    --replicas) REPLICAS=$2 ;; --compression) COMPRESSION=$2 ;; --notice-s) NOTICE=$2 ;;
    --trace-offset-hours) OFFSET=$2 ;; --kill-every-s) KILL_EVERY=$2 ;; --warmup-timeout-s) WARMUP=$2 ;;
    -h|--help) usage ;;
    *) printf 'preemption.sh: unknown option %s\n' "$1" >&2; usage ;;
  esac
  [ $# -ge 2 ] || usage
  shift 2
done
for n in "$DURATION" "$CONCURRENCY" "$MAX_TOKENS" "$REPLICAS" "$COMPRESSION" "$NOTICE" "$KILL_EVERY" "$WARMUP"; do
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || { printf 'preemption.sh: %s is not a positive whole number\n' "$n" >&2; exit 2; }
done
[[ $OFFSET =~ ^[0-9]+(\.[0-9]+)?$ ]] || { printf 'preemption.sh: --trace-offset-hours takes a number\n' >&2; exit 2; }
[ -d "$TRACES/AWS2" ] || die "the traces are not at $TRACES/AWS2 (../shared/traces beside the checkout)"
command -v python3 >/dev/null || die "python3 is needed (bench/preemption/load.py, standard library only)"

WORK=$(mktemp -d -t skyserve-preemption.XXXXXX)
PIDS=()

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The live agents the local runtime started for this run (they outlive the controller), by the pids its registry
# holds; `machine_pids spot`: only spot machines'.
machine_pids() {
  python3 - "$WORK/data/local/machines.json" "${1:-all}" <<'PY' 2>/dev/null || true
import json, sys
try:
    state = json.load(open(sys.argv[1]))
except FileNotFoundError:
    sys.exit(0)
for m in state.get("machines", []):
    if m.get("pid") and str(m.get("state")).lower() in ("pending", "running") and (sys.argv[2] != "spot" or m["offering"]["spot"]):
        print(m["pid"])
PY
}

cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $(machine_pids); do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept logs and results in $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

wait_http() { # wait_http URL SECONDS [AUTH]: until it answers 2xx
  local url=$1 seconds=$2 auth=${3:-} i
  for i in $(seq 1 $((seconds * 5))); do
    if curl -sf -o /dev/null ${auth:+-H "Authorization: Bearer $auth"} "$url"; then return 0; fi
    sleep 0.2
  done
  return 1
}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building the controller, the load balancer and the agent (Release)"
  for project in SkyServe.Controller SkyServe.LoadBalancer SkyServe.ReplicaAgent; do
    dotnet build "$ROOT/src/$project" -c Release -nologo -v quiet -clp:NoSummary >&2
  done
fi

# Prompts, and the reference answers from an agent that nothing preempts.
python3 -c 'import json, sys; json.dump([f"Question {i}: what happens to a request when its spot replica is preempted?" if i % 2 else
  f"Tell me a story about replica number {i} and the spot market." for i in range(16)], open(sys.argv[1], "w"))' "$WORK/prompts.json"
AGENT_PORT=$(free_port)
dotnet "$AGENT_DLL" --port "$AGENT_PORT" --model "$ROOT/models/tiny-chat" --model-cache none >"$WORK/reference-agent.log" 2>&1 &
REFERENCE_PID=$!
PIDS+=("$REFERENCE_PID")
wait_http "http://127.0.0.1:$AGENT_PORT/v1/models" 60 || die "the reference agent did not start: $(tail -5 "$WORK/reference-agent.log")"
log "reference answers ($MAX_TOKENS tokens each) from one agent alone"
python3 "$LOAD" reference "http://127.0.0.1:$AGENT_PORT" "$WORK/prompts.json" "$MAX_TOKENS" "$WORK/reference.json"
kill -TERM "$REFERENCE_PID" 2>/dev/null || true

# The market: three spot zones replaying AWS2.
cat >"$WORK/zones.yaml" <<EOF
time_compression: $COMPRESSION
notice_seconds: $NOTICE
provisioning_seconds: 1
seed: 18
zones:
  - infra: aws/us-east-1/us-east-1a
    trace: $TRACES/AWS2/us-east-2b_v100_1.json
    trace_offset_hours: $OFFSET
  - infra: aws/us-east-1/us-east-1b
    trace: $TRACES/AWS2/us-west-2a_v100_1.json
    trace_offset_hours: $OFFSET
  - infra: aws/us-west-2/us-west-2a
    trace: $TRACES/AWS2/us-west-2c_v100_1.json
    trace_offset_hours: $OFFSET
EOF
TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
CONTROLLER_PORT=$(free_port)
CONTROLLER=http://127.0.0.1:$CONTROLLER_PORT
mkdir -p "$WORK/data"
log "controller on $CONTROLLER (local runtime, x$COMPRESSION market, notices $NOTICE simulated s ahead)"
SkyServe__DataDirectory=$WORK/data SkyServe__Urls=$CONTROLLER SkyServe__ApiToken=$TOKEN SkyServe__ConfigDirectory=$ROOT/config \
  SkyServe__LocalZonesFile=$WORK/zones.yaml dotnet "$CONTROLLER_DLL" >"$WORK/controller.log" 2>&1 &
PIDS+=("$!")
wait_http "$CONTROLLER/api/v1/services" 60 "$TOKEN" || die "the controller did not start: $(tail -5 "$WORK/controller.log")"
curl -sf -H "Authorization: Bearer $TOKEN" "$CONTROLLER/api/v1/tokens/load-balancer" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])' >"$WORK/lb-token"

declare -A LB_URL=() LOADPID=()
for mode in resume baseline; do
  port=$(free_port)
  LB_URL[$mode]=http://127.0.0.1:$port
  flags=(--listen "${LB_URL[$mode]}" --controller "$CONTROLLER" --token-file "$WORK/lb-token" --max-attempts 6 --id "$mode")
  [ "$mode" = baseline ] && flags+=(--no-resume)
  dotnet "$LB_DLL" "${flags[@]}" >"$WORK/lb-$mode.log" 2>&1 &
  PIDS+=("$!")
done

curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/yaml' -X POST "$CONTROLLER/api/v1/services?name=$SERVICE" \
  --data-binary @- >/dev/null <<EOF || die "the service was refused"
service:
  readiness_probe:
    path: /v1/models
    initial_delay_seconds: 60
  replica_policy:
    min_replicas: $REPLICAS
    max_replicas: $REPLICAS
    num_overprovision: 1
    base_ondemand_fallback_replicas: 2
    dynamic_ondemand_fallback: true
    spot_placer: dynamic_fallback
  load_balancing_policy: least_load
resources:
  cloud: local
  use_spot: true
  cpus: 2+
model:
  path: models/tiny-chat
  engine: cpu
  max_batch_size: 32
EOF
log "waiting for $SERVICE to answer through both load balancers"
for mode in resume baseline; do
  ok=0
  for i in $(seq 1 $((WARMUP * 2))); do
    if curl -sf -o /dev/null -H 'Content-Type: application/json' \
      -d '{"messages":[{"role":"user","content":"hi"}],"max_tokens":2}' "${LB_URL[$mode]}/$SERVICE/v1/chat/completions"; then ok=1; break; fi
    sleep 0.5
  done
  [ "$ok" = 1 ] || die "$SERVICE did not answer through the $mode load balancer within ${WARMUP} s: $(tail -5 "$WORK/controller.log")"
done

# Preemptions without notice: a random live replica agent killed every KILL_EVERY seconds.
( end=$((SECONDS + DURATION))
  while [ $SECONDS -lt $end ]; do
    sleep "$KILL_EVERY"
    mapfile -t live < <(machine_pids spot)
    [ ${#live[@]} -gt 0 ] || continue
    victim=${live[RANDOM % ${#live[@]}]}
    kill -KILL "$victim" 2>/dev/null && echo "$victim" >>"$WORK/killed"
  done ) &
KILLER=$!
PIDS+=("$KILLER")

log "load: $CONCURRENCY clients per load balancer for $DURATION s, $MAX_TOKENS-token greedy streams"
for mode in resume baseline; do
  python3 "$LOAD" run "${LB_URL[$mode]}" "$SERVICE" "$WORK/prompts.json" "$MAX_TOKENS" "$CONCURRENCY" "$DURATION" "$WORK/results-$mode.jsonl" &
  LOADPID[$mode]=$!
done
for mode in resume baseline; do wait "${LOADPID[$mode]}"; done
wait "$KILLER" 2>/dev/null || true

WITH_NOTICE=$(python3 -c 'import json, sys; print(sum(1 for m in json.load(open(sys.argv[1]))["machines"] if m.get("noticed_at")))' "$WORK/data/local/machines.json")
WITHOUT=$( [ -f "$WORK/killed" ] && wc -l <"$WORK/killed" || echo 0)
python3 "$LOAD" summary "$WORK/reference.json" "$WORK/results-resume.jsonl" >"$WORK/summary-resume.json"
python3 "$LOAD" summary "$WORK/reference.json" "$WORK/results-baseline.jsonl" >"$WORK/summary-baseline.json"

python3 - "$WORK/summary-resume.json" "$WORK/summary-baseline.json" "$WITH_NOTICE" "$WITHOUT" "$DURATION" "$CONCURRENCY" "$MAX_TOKENS" <<'PY'
import json, sys
on, off = (json.load(open(p)) for p in sys.argv[1:3])
notice, killed, duration, concurrency, tokens = (int(a) for a in sys.argv[3:8])
f = lambda v: "-" if v is None else f"{v:.3f}"
print(f"Preemptions during the run: {notice + killed} ({notice} with notice from the trace-driven market, {killed} without: agents killed)")
print(f"Load: {concurrency} clients per load balancer for {duration} s, greedy streamed chat completions of {tokens} tokens\n")
print("| load balancer | requests | failures | texts differing from the reference | TTFT p50 / p90 / p99 s | end-to-end p50 / p90 / p99 s |")
print("|---|---|---|---|---|---|")
for name, s in (("resumption on", on), ("--no-resume (SkyServe-like)", off)):
    print(f"| {name} | {s['requests']} | {s['failures']} | {s['mismatches']} | {f(s['ttft_p50_s'])} / {f(s['ttft_p90_s'])} / {f(s['ttft_p99_s'])} "
          f"| {f(s['p50_s'])} / {f(s['p90_s'])} / {f(s['p99_s'])} |")
print(f"\nFailure kinds: resumption on {on['failure_kinds'] or 'none'}; baseline {off['failure_kinds'] or 'none'}. "
      "Latencies are of the requests that succeeded.")
print(json.dumps({
    "requests": on["requests"], "preemptions": notice + killed, "preemptions_with_notice": notice,
    "failures": on["failures"], "mismatches": on["mismatches"], "p50_s": on["p50_s"], "p99_s": on["p99_s"],
    "baseline_failures": off["failures"], "baseline_mismatches": off["mismatches"], "baseline_p99_s": off["p99_s"],
}))
PY
