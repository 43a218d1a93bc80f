#!/usr/bin/env bash
# bench/scale.sh: fleet-scale benchmark of the controller and the load balancer (issue 14, item 8). Not a test.
# Run from anywhere: bash bench/scale.sh [options]   (quick check: bash bench/scale.sh --db sqlite --sizes 10,100)
#
# What runs. bench/SkyServe.Bench.Scale (C#) starts, all on loopback:
#   - the EC2 emulator of tests/SkyServe.Cloud.Emulators (inside the benchmark process), regions us-east-1 and us-west-2 with three
#     zones each, every catalog AWS type sold there, spot and on demand, no capacity limit, vCPU quotas of 1,000,000 each;
#     each VM gets its own address 127.z.x.y;
#   - ONE stand-in agent: a Kestrel server on 0.0.0.0:PORT, so it answers at every VM's address; every request gets 200
#     ({"status":"ok"} on /health), except at an address the harness marks failing: 503 (--failure-mode reset: the
#     connection is aborted). It tells the VMs apart by the connection's local address;
#   - with --db postgres, a throwaway PostgreSQL cluster (initdb in the work folder, free loopback port, default settings);
#   - the real controller, `dotnet src/SkyServe.Controller/.../SkyServe.Controller.dll` (Release), configured as a user
#     would (SkyServe__... variables): SQLite in the work folder or that PostgreSQL, the AWS provider pointed at the
#     emulator (Endpoint, AgentPort = the stand-in's port, interruption queue), an API token file, a free port; every
#     reconcile/probe setting at its default;
#   - the real load balancer, `dotnet .../SkyServe.LoadBalancer.dll --controller URL --token-file F`, with the token from
#     GET /api/v1/tokens/load-balancer.
# Then the fleet grows through the API, size by size (--sizes, default 10,100,1000,1000x10): N services, service i with
# 1-10 replicas drawn from a generator seeded with (--seed, i) as a fixed size (min = max), odd i SpotHedge spot services
# (use_spot, spot_placer: dynamic_fallback, dynamic_ondemand_fallback, num_overprovision --overprovision, 0 by default),
# even i on demand (`replicas: N`); "1000x10" PUTs every service to 10 replicas (a service-section-only update). Per size:
#   writes s      the POSTs (and PUTs) of the step, --post-concurrency at a time, first sent to last answered;
#   converge s    from the last write's answer until the load balancer's GET /-/routes (its own page, with its token)
#                 holds exactly each service's expected replica count, confirmed by GET /api/v1/services (every service
#                 READY = live = expected); the time is that of the routes read that matched;
#   CPU, RSS      the controller's (and the load balancer's) utime+stime from /proc/PID/stat over a quiet --steady-s window
#                 after convergence (no API calls; reconcile, probes, the LB's long poll and stats go on), as a share of one
#                 core; VmRSS from /proc/PID/status at the window's end;
#   GET services  --list-requests sequential GETs of /api/v1/services?limit=--page-size (after 5 discarded): the whole list
#                 while the API does not page (today), page after page once it does; p50 and p99 latency;
#   failure→LB    --failure-trials times: one READY replica's address (a different service each time) is marked failing at
#                 the stand-in agent; the time until /-/routes no longer holds that replica (the controller's probe sees
#                 503, the replica goes NOT_READY, the routing table and the LB's long poll follow); then healed;
#   write→LB      --write-trials times: DELETE /api/v1/services/NAME of a routed service (it goes SHUTTING_DOWN in the
#                 API's transaction, which removes it from the routing table) until /-/routes no longer routes it; a
#                 replacement of the same shape is then created under a new name (it converges with the next size);
#   DB MB         the SQLite file plus its -wal, or pg_database_size.
# The routes are read every replicas/20 ms (50-500 ms): that is the resolution of the timed figures. A size that does not
# converge within --converge-timeout-s (or the --max-minutes budget) is reported as such, its trials are skipped and the
# larger sizes are not run. Everything shares this machine's cores (the emulator and the stand-in agent run in the
# benchmark's own process), so read the numbers relative to one another.
#
# Options (passed through): --db sqlite|postgres|both (both: SQLite, then PostgreSQL)  --sizes 10,100,1000,1000x10
#   --max-minutes 120 (whole run; each database gets an even share of what is left)  --converge-timeout-s 900
#   --trial-timeout-s 120  --failure-trials 5  --write-trials 5  --list-requests 200  --page-size 100  --steady-s 20
#   --seed 14  --overprovision 0  --failure-mode 503|reset  --post-concurrency 4
# Environment: SKIP_BUILD=1 use the existing Release builds; SKIP_INSTALL=1 do not apt-get install postgresql;
#   KEEP_TMP=1 keep the work folder (logs of every process, the database).
# Output: progress on stderr; Markdown tables (per database, growth ratios, PostgreSQL/SQLite), then, as the very last
# line, one JSON object with the largest size's figures (`bash bench/scale.sh | tail -1`). Exit status 0 when it ran
# (whatever the figures), 1 when a run failed, 2 on a bad option, 130 when interrupted.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DLL=$ROOT/bench/SkyServe.Bench.Scale/bin/Release/net10.0/SkyServe.Bench.Scale.dll
CONTROLLER_DLL=$ROOT/src/SkyServe.Controller/bin/Release/net10.0/SkyServe.Controller.dll
LB_DLL=$ROOT/src/SkyServe.LoadBalancer/bin/Release/net10.0/SkyServe.LoadBalancer.dll

log() { printf 'scale.sh: %s\n' "$*" >&2; }
die() { printf 'scale.sh: error: %s\n' "$*" >&2; exit 1; }

WORK=''
BENCH_PID=''

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

stop_pid() { # stop_pid PID: TERM, then KILL after 15 s
  local pid=$1 i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 150); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? pid name dll pg postmaster
  trap - EXIT INT TERM
  if alive "$BENCH_PID"; then
    # The benchmark stops its own children on SIGTERM; give it the time to.
    kill -TERM "$BENCH_PID" 2>/dev/null || true
    for _ in $(seq 1 600); do alive "$BENCH_PID" || break; sleep 0.1; done
    alive "$BENCH_PID" && kill -KILL "$BENCH_PID" 2>/dev/null || true
  fi
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    # Whatever the benchmark left running (it was killed, or failed to stop something): by pid, checking the pid is
    # still that program (its command line names the dll).
    if [ -f "$WORK/children.pids" ]; then
      while read -r pid name dll; do
        if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dll"; then
          log "stopping $name (pid $pid) left running"
          stop_pid "$pid"
        fi
      done <"$WORK/children.pids"
    fi
    pg=$WORK/postgres/cluster
    if [ -f "$pg/postmaster.pid" ]; then
      postmaster=$(head -1 "$pg/postmaster.pid")
      if alive "$postmaster"; then
        log "stopping PostgreSQL (pid $postmaster) left running"
        kill -INT "$postmaster" 2>/dev/null || true # fast shutdown
        for _ in $(seq 1 100); do alive "$postmaster" || break; sleep 0.1; done
        alive "$postmaster" && kill -QUIT "$postmaster" 2>/dev/null || true
      fi
    fi
    if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept logs and data in $WORK"; else rm -rf "$WORK"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# PostgreSQL server binaries, when a PostgreSQL run is asked for (the default runs both databases).
wants_postgres=1
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = --db ] && [ "${args[$((i + 1))]:-}" = sqlite ]; then wants_postgres=0; fi
done
if [ "$wants_postgres" = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  [ "${SKIP_INSTALL:-0}" = 1 ] && die "PostgreSQL server binaries missing (SKIP_INSTALL=1): install postgresql or pass --db sqlite"
  log "installing Debian's postgresql package"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2 || die "could not install postgresql"
fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building the controller, the load balancer and the benchmark (Release)"
  for project in src/SkyServe.Controller src/SkyServe.LoadBalancer bench/SkyServe.Bench.Scale; do
    dotnet build "$ROOT/$project" -c Release -nologo -v quiet >&2 || die "building $project failed"
  done
fi
for dll in "$BENCH_DLL" "$CONTROLLER_DLL" "$LB_DLL"; do [ -f "$dll" ] || die "$dll missing (run without SKIP_BUILD=1)"; done

# One keep-alive probe connection per replica ends at the stand-in agent: 10,000 replicas need more descriptors than
# the usual soft limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

WORK=$(mktemp -d "${TMPDIR:-/tmp}/skyserve-scale.XXXXXX")
chmod 755 "$WORK" # the postgres user creates its cluster below it

dotnet "$BENCH_DLL" --work "$WORK" --controller-dll "$CONTROLLER_DLL" --lb-dll "$LB_DLL" "$@" &
BENCH_PID=$!
set +e
wait "$BENCH_PID"
rc=$?
set -e
BENCH_PID=''
exit "$rc"
