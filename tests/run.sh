#!/usr/bin/env bash
# Runs the whole test suite on this machine, as on a fresh one: installs what the tests need
# (Debian's PostgreSQL server; the tests start a throwaway cluster of it on a free loopback port;
# Debian's coinor-cbc, the solver of the simulator's optimum; promtool from Debian's prometheus, the checker of
# every metrics page; Node.js and the pinned `openai` npm client; docker.io, docker-compose and debootstrap for the
# deployment test, which starts a Docker daemon of its own and stops it),
# builds, runs every test project, and ends with one line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "tests/run.sh: installing PostgreSQL from Debian's packages (the persistence tests run against it)..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if ! command -v cbc >/dev/null; then
  echo "tests/run.sh: installing the CBC solver from Debian's packages (the simulator's optimum needs it)..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coinor-cbc >/dev/null
fi
if ! command -v promtool >/dev/null; then
  # Only its promtool is used (`promtool check metrics` on every metrics endpoint); the server it also installs is
  # stopped and disabled where systemd started it.
  echo "tests/run.sh: installing promtool from Debian's prometheus package (the metrics format tests run it)..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  if [ -d /run/systemd/system ]; then as_root systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
fi
if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null || ! command -v debootstrap >/dev/null; then
  # The deployment test (tests/SkyServe.Deploy.Tests) starts a dockerd of its own (own data root, exec root and socket,
  # no bridge, no iptables), builds the images with deploy/images.sh (debootstrap: no registry is needed) and runs
  # docker-compose.yml on it. A system Docker daemon the package may start is left alone.
  echo "tests/run.sh: installing Docker, docker-compose and debootstrap from Debian's packages (the deployment test uses them)..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io docker-compose debootstrap >/dev/null
fi

# The official OpenAI Node client, pinned in tests/clients/openai-node, is driven against the agent by the tests.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "tests/run.sh: installing Node.js from Debian's packages (the OpenAI client test runs on it)..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -f tests/clients/openai-node/node_modules/openai/package.json ]; then
  npm ci --prefix tests/clients/openai-node --no-audit --no-fund --loglevel=error
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

dotnet build SkyServe.sln -c Release -nologo -v quiet
# The processes tests start: replica agents, controllers, load balancers, the CLI's `local start`, and the deployment
# test's Docker daemon (tests/SkyServe.Testing/DockerEngine.cs, data root under /tmp/skyserve-docker-*).
agents() { pgrep -f "SkyServe.ReplicaAgent.dll|SkyServe.Controller.dll|SkyServe.LoadBalancer.dll|skyserve.dll|dockerd --data-root /tmp/skyserve-docker-" | sort || true; }
agents_before="$(agents)"
set +e
dotnet test SkyServe.sln -c Release --no-build -nologo --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory "$results" "$@"
status=$?
set -e

# One closing line over all test projects, summed from their TRX reports.
sum() { grep -ho "$1=\"[0-9]*\"" "$results"/*.trx 2>/dev/null | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}'; }
passed=$(sum passed); failed=$(sum failed); total=$(sum total); executed=$(sum executed)
skipped=$((total - executed))
# Nothing may leak: every agent, controller and load balancer process the tests started must be gone.
leaked="$(comm -13 <(echo "$agents_before") <(agents) | grep . || true)"
if [ -n "$leaked" ]; then
  echo "tests/run.sh: processes left running by the tests:" >&2
  ps -o pid,args -p $(echo $leaked | tr ' ' ',') >&2 || true
  kill -9 $leaked 2>/dev/null || true
  failed=$((failed + 1))
  status=1
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "tests/run.sh: no test ran" >&2
  exit 1
fi
exit "$status"
