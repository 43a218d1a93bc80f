#!/usr/bin/env bash
# bench/service-list.sh: the service list API at scale (issue 14, item 6). Run from anywhere: bash bench/service-list.sh [options]
#
# What it measures (bench/SkyServe.Bench.ServiceList; not a test): a controller on a loopback Kestrel port (reconcile
# off; its routing table recomputing every 200 ms as always), on SQLite and on a throwaway PostgreSQL cluster, seeded
# straight into the database with 1,000 services (each with a spec of a few kB) x 10 replicas (6 READY, 1 STARTING,
# 1 PROVISIONING, 1 PREEMPTED, 1 FAILED). After a warm-up walk, 200 sequential GET /api/v1/services?limit=100, over
# every page in turn; latency p50/p90/p99/max as the client (in the same process) sees it, and one whole walk. Then
# the same with the routing table stopped: it reads every service, READY replica and current version each 200 ms, and
# at this size that costs a share of a core the list competes with. Beside each: the process's CPU while idle (% of a
# core) and per request (idle share taken off; noisy), which do not depend on what else the machine runs.
# The target: p99 <= 100 ms per page on a 2-core machine. The client shares the machine's cores with the controller;
# on a machine shared with other work run it as root under nice -n -10 (what the README's numbers did).
#
# Options (passed through): --services N (1000)  --replicas N (10)  --requests N (200)  --limit N (100)
#   --engine sqlite|postgres|both (both)
# Output: progress on stderr; a Markdown table, then one JSON line with the numbers, on stdout.
# Needs Debian's postgresql package for --engine postgres (or SKYSERVE_TEST_POSTGRES set to a server's connection string).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet build bench/SkyServe.Bench.ServiceList -c Release -v q -nologo >&2
exec dotnet bench/SkyServe.Bench.ServiceList/bin/Release/net10.0/SkyServe.Bench.ServiceList.dll "$@"
