#!/usr/bin/env bash
# Builds SkyServe's container images without an image registry:
#
#   1. a Debian bookworm base image, from Debian's own packages: `debootstrap --variant=minbase`, trimmed like
#      debian:bookworm-slim, then `docker import` (kept on the Docker host: a second run reuses it; the root file
#      system is also kept as a tarball in $SKYSERVE_BASE_CACHE, so a fresh Docker host imports it without debootstrap);
#   2. self-contained linux-x64 publishes of the controller, the load balancer and the replica agent (no .NET runtime
#      in the images: Debian has none);
#   3. the images, from the Dockerfiles under deploy/, each of which takes its base image as the build argument BASE
#      (default debian:bookworm-slim, so that where a registry is reachable the same files build from it):
#        skyserve/controller, skyserve/load-balancer, skyserve/agent (with models/tiny-chat),
#        skyserve/postgres (Debian's postgresql), skyserve/prometheus (Debian's prometheus).
#
# Usage: deploy/images.sh [IMAGE...]        (default: all five; IMAGE is controller, load-balancer, agent, postgres
#                                            or prometheus; the base is built whenever one is asked for)
# The Docker host is the client's: DOCKER_HOST (e.g. unix:///tmp/skyserve-dockerd.sock), else the default socket.
#
# Settings (environment):
#   SKYSERVE_IMAGE_PREFIX   image names' prefix (default skyserve): PREFIX/controller, ...
#   SKYSERVE_IMAGE_TAG      tag of every image (default latest)
#   SKYSERVE_BASE_IMAGE     build on this image instead of the debootstrapped one (e.g. debian:bookworm-slim from a registry)
#   SKYSERVE_BASE_CACHE     where the debootstrapped root file system is kept (default /var/cache/skyserve-base,
#                           or ~/.cache/skyserve-base when that is not writable)
#   SKYSERVE_BASE_REFRESH=1 debootstrap again even when the image or the cached tarball exists
#   DEBIAN_MIRROR           debootstrap's mirror (default http://deb.debian.org/debian)
#   SKYSERVE_SKIP_PUBLISH=1 reuse the publishes already in artifacts/images/*/app
#
# Secrets (the API token, the database password) are never part of an image: see docker-compose.yml and deploy/secrets.sh.
# The .NET programs are published here with `dotnet publish -r linux-x64 --self-contained`; once `./skyserve package`
# produces artifacts/packages/*-linux-x64.tar.gz, those archives can be unpacked into the same app/ folders instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"

prefix="${SKYSERVE_IMAGE_PREFIX:-skyserve}"
tag="${SKYSERVE_IMAGE_TAG:-latest}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm
all=(controller load-balancer agent postgres prometheus)
if [ "$#" -gt 0 ]; then wanted=("$@"); else wanted=("${all[@]}"); fi
for name in "${wanted[@]}"; do
  case " ${all[*]} " in *" $name "*) ;; *) echo "images.sh: unknown image '$name' (one of: ${all[*]})" >&2; exit 2 ;; esac
done

say() { echo "images.sh: $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

docker info >/dev/null 2>&1 || { say "no Docker daemon at ${DOCKER_HOST:-the default socket} (set DOCKER_HOST)"; exit 1; }

# --- 1. the base image ------------------------------------------------------------------------------------------
base_cache() {
  local dir="${SKYSERVE_BASE_CACHE:-/var/cache/skyserve-base}"
  if [ -z "${SKYSERVE_BASE_CACHE:-}" ] && ! { mkdir -p "$dir" 2>/dev/null && [ -w "$dir" ]; }; then
    dir="${XDG_CACHE_HOME:-$HOME/.cache}/skyserve-base"
  fi
  mkdir -p "$dir"
  echo "$dir"
}

# A minbase root file system, trimmed as debian:bookworm-slim is: no documentation, manual pages or translations
# (dpkg keeps them out of later installs too), no package lists, services not started by package scripts, apt's
# sources as in Debian's images (bookworm, bookworm-updates, bookworm-security).
debootstrap_rootfs() {
  local rootfs="$1"
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap from Debian's packages..."
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  as_root debootstrap --variant=minbase --arch=amd64 "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -n 20 "$rootfs.log" >&2; say "debootstrap failed (whole log: $rootfs.log)"; return 1; }
  as_root bash -euo pipefail -c '
    r="$1"; mirror="$2"; suite="$3"
    cat >"$r/etc/dpkg/dpkg.cfg.d/docker" <<EOF
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
    find "$r/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "$r/usr/share/man/"* "$r/usr/share/info/"* "$r/usr/share/locale/"* "$r/usr/share/groff/"* "$r/usr/share/lintian/"*
    cat >"$r/etc/apt/apt.conf.d/docker-clean" <<EOF
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo "Acquire::Languages \"none\";" >"$r/etc/apt/apt.conf.d/docker-no-languages"
    echo "APT::Install-Recommends \"false\";" >"$r/etc/apt/apt.conf.d/docker-no-recommends"
    printf "#!/bin/sh\nexit 101\n" >"$r/usr/sbin/policy-rc.d"; chmod 755 "$r/usr/sbin/policy-rc.d"
    rm -f "$r/etc/apt/sources.list"
    security="${mirror%/debian}/debian-security"
    cat >"$r/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite ${suite}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: ${suite}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    rm -rf "$r/var/lib/apt/lists/"* "$r/var/cache/apt/"*.bin "$r/var/cache/apt/archives/"*.deb "$r/var/log/"*.log \
      "$r/var/log/apt/"* "$r/var/cache/debconf/"*-old "$r/var/lib/dpkg/"*-old "$r/tmp/"* "$r/root/".bash_history
    : >"$r/etc/machine-id"
    echo skyserve >"$r/etc/hostname"
  ' _ "$rootfs" "$mirror" "$suite"
}

build_base() {
  if [ -n "${SKYSERVE_BASE_IMAGE:-}" ]; then
    base="$SKYSERVE_BASE_IMAGE"
    say "base image: $base (SKYSERVE_BASE_IMAGE)"
    return
  fi
  base="$prefix/base:$suite"
  if [ "${SKYSERVE_BASE_REFRESH:-0}" != 1 ] && docker image inspect "$base" >/dev/null 2>&1; then
    say "base image: $base (already on this Docker host)"
    return
  fi
  local cache tarball started
  cache="$(base_cache)"
  tarball="$cache/debian-$suite-minbase-amd64.tar"
  if [ "${SKYSERVE_BASE_REFRESH:-0}" = 1 ] || [ ! -s "$tarball" ]; then
    started="$(now)"
    local work
    work="$(mktemp -d "$cache/rootfs.XXXXXX")"
    say "debootstrap --variant=minbase $suite from $mirror (the root file system is kept in $tarball)..."
    debootstrap_rootfs "$work/rootfs" || { as_root rm -rf "$work"; exit 1; }
    # /dev, /proc and /sys are the container runtime's; the rest goes in with numeric owners.
    as_root tar --numeric-owner -C "$work/rootfs" --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* -cf "$tarball.part" .
    as_root mv "$tarball.part" "$tarball"
    as_root rm -rf "$work"
    say "debootstrap: $(since "$started") s, $(du -m "$tarball" | cut -f1) MB"
  else
    say "reusing the debootstrapped root file system $tarball ($(date -r "$tarball" -u +%Y-%m-%dT%H:%MZ))"
  fi
  started="$(now)"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --change "LABEL org.opencontainers.image.title=skyserve-base org.opencontainers.image.description=\"Debian $suite minbase (debootstrap), trimmed like debian:$suite-slim\" org.opencontainers.image.created=$(date -r "$tarball" -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$tarball" "$base" >/dev/null
  say "base image: $base imported in $(since "$started") s"
}

# --- 2. the .NET programs ---------------------------------------------------------------------------------------
stage="$root/artifacts/images"

publish() { # PROJECT OUT
  local started
  started="$(now)"
  rm -rf "$2"
  dotnet publish "$root/src/$1/$1.csproj" -c Release -r linux-x64 --self-contained -o "$2" -nologo -v quiet -clp:NoSummary \
    -p:SatelliteResourceLanguages=en -p:DebugType=none -p:DebugSymbols=false -p:GenerateDocumentationFile=false >&2
  say "published $1 (self-contained linux-x64) in $(since "$started") s: $(du -sm "$2" | cut -f1) MB"
}

# The controller's publish carries the agent's own self-contained publish in agent/ (the local runtime starts it):
# the same runtime and libraries twice. Files of agent/ identical to the controller's become relative symbolic links
# to them (the hosts and the runtime follow them), which takes about 90 MB off the controller image.
link_agent_duplicates() { # APP
  local file saved=0 size
  while IFS= read -r -d '' file; do
    local twin="$1/${file#"$1/agent/"}"
    if [ -f "$twin" ] && [ ! -L "$twin" ] && cmp -s "$file" "$twin"; then
      size=$(stat -c %s "$file")
      ln -sfr "$twin" "$file"
      saved=$((saved + size))
    fi
  done < <(find "$1/agent" -type f -print0)
  say "agent/ beside the controller: $((saved / 1000000)) MB of files identical to the controller's linked to them"
}

# The build context of an image: what its Dockerfile copies, and nothing else.
context() { # NAME
  local dir="$stage/$1"
  mkdir -p "$dir"
  rm -rf "$dir/bin" "$dir/config" "$dir/models"
  cp -r "$root/deploy/scripts" "$dir/bin"
  echo "$dir"
}

# --- 3. the images ----------------------------------------------------------------------------------------------
build() { # NAME CONTEXT
  local started image
  started="$(now)"
  image="$prefix/$1:$tag"
  # Host networking for the build's RUN steps (apt-get): the test's dockerd has no bridge.
  docker build --network host --build-arg "BASE=$base" -f "$root/deploy/$1/Dockerfile" -t "$image" \
    --label "org.opencontainers.image.revision=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "$2" >"$stage/$1.build.log" 2>&1 || { tail -n 30 "$stage/$1.build.log" >&2; say "building $image failed (log: $stage/$1.build.log)"; exit 1; }
  say "built $image in $(since "$started") s: $(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
}

total="$(now)"
mkdir -p "$stage"
build_base
for name in "${wanted[@]}"; do
  case "$name" in
    controller)
      ctx="$(context controller)"
      [ "${SKYSERVE_SKIP_PUBLISH:-0}" = 1 ] && [ -d "$ctx/app" ] || publish SkyServe.Controller "$ctx/app"
      link_agent_duplicates "$ctx/app"
      # The local runtime (the embedded default cloud) runs agents beside the controller: the catalog and zone file,
      # and the example model that config/examples/local-chat.yaml names.
      cp -r "$root/config" "$ctx/config"
      mkdir -p "$ctx/models" && cp -r "$root/models/tiny-chat" "$ctx/models/tiny-chat"
      ;;
    load-balancer)
      ctx="$(context load-balancer)"
      [ "${SKYSERVE_SKIP_PUBLISH:-0}" = 1 ] && [ -d "$ctx/app" ] || publish SkyServe.LoadBalancer "$ctx/app"
      ;;
    agent)
      ctx="$(context agent)"
      [ "${SKYSERVE_SKIP_PUBLISH:-0}" = 1 ] && [ -d "$ctx/app" ] || publish SkyServe.ReplicaAgent "$ctx/app"
      mkdir -p "$ctx/models" && cp -r "$root/models/tiny-chat" "$ctx/models/tiny-chat"
      ;;
    postgres | prometheus)
      ctx="$(context "$name")"
      cp "$root/deploy/$name/"* "$ctx/"
      rm -f "$ctx/Dockerfile"
      ;;
  esac
  build "$name" "$ctx"
done
say "done in $(since "$total") s:"
for name in "${wanted[@]}"; do
  docker image inspect -f "{{index .RepoTags 0}} {{.Size}}" "$prefix/$name:$tag" | awk '{ printf "  %-32s %6.0f MB\n", $1, $2 / 1e6 }' >&2
done

# The secrets docker-compose.yml mounts, made once (kept when present), so that `docker-compose up -d` can follow at once.
secrets_dir="${SKYSERVE_SECRETS_DIR:-$root/deploy/secrets}"
if [ ! -s "$secrets_dir/api-token" ]; then
  bash "$root/deploy/secrets.sh" "$secrets_dir"
  say "made the secrets in $secrets_dir (deploy/secrets.sh): the API token for the CLI is $secrets_dir/api-token"
fi
