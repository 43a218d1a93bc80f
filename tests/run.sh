#!/usr/bin/env bash
# Runs the whole test suite on this machine, as on a fresh one: installs what the tests need
# (Debian's PostgreSQL server; the tests start a throwaway cluster of it on a free loopback port;
# Debian's docker.io and busybox-static: the Docker provider's tests start a throwaway dockerd;
# Debian's coinor-cbc, the solver of the simulator's optimum; promtool from Debian's prometheus, the checker of
# every metrics page; Node.js and the pinned `openai` npm client; docker.io, docker-compose and debootstrap for the
# deployment test, which starts a Docker daemon of its own and stops it),
# builds, packages (`skyserve package`), runs every test project, and ends with one line: "N passed, N failed, N skipped".
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
if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null || ! command -v debootstrap >/dev/null \
  || ! dpkg -s busybox-static >/dev/null 2>&1; then
  # The Docker provider's tests and the deployment test (tests/SkyServe.Deploy.Tests) start dockerds of their own (own
  # data root, exec root, socket and pidfile under a temporary folder, no bridge, no iptables). The provider's tests import
  # a tiny image of the static busybox as the stand-in agent; the deployment test builds the images with deploy/images.sh
  # (debootstrap: no registry is needed) and runs docker-compose.yml. A system Docker daemon the package may start is left alone.
  echo "tests/run.sh: installing Docker, docker-compose, debootstrap and the static busybox from Debian's packages..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends docker.io docker-compose debootstrap busybox-static >/dev/null
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

# The dashboard's browser test: Debian's chromium driven by Playwright.
if [ ! -x /usr/bin/chromium ]; then
  # The dashboard's browser test drives Debian's chromium through Playwright (ExecutablePath /usr/bin/chromium): no
  # browser is downloaded by Playwright.
  echo "tests/run.sh: installing chromium from Debian's packages (the dashboard's browser test runs it)..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

dotnet build SkyServe.sln -c Release -nologo -v quiet
# The archives of `skyserve package` (self-contained publishes), made once before the tests rather than while other test
# assemblies run: the package and boot-script tests (SkyServe.Cli.Tests) find them through SKYSERVE_TEST_PACKAGES.
dotnet src/SkyServe.Cli/bin/Release/net10.0/skyserve.dll package --output "$results/packages" >/dev/null
export SKYSERVE_TEST_PACKAGES="$results/packages"
# The processes tests start: replica agents, controllers, load balancers (as DLLs, or as packaged executables unpacked
# in the tests' temporary folders), the CLI's `local start`, and the deployment test's Docker daemon
# (tests/SkyServe.Testing/DockerEngine.cs, data root under /tmp/skyserve-docker-*).
agents() {
  pgrep -f 'SkyServe\.(ReplicaAgent|Controller|LoadBalancer)\.dll|skyserve\.dll|/skyserve-test-[^ ]*/SkyServe\.(ReplicaAgent|Controller|LoadBalancer)( |$)|dockerd --data-root /tmp/skyserve-docker-' \
    | sort || true
}
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
