#!/usr/bin/env bash
# Build the local base image `dari/base:bookworm` (Debian bookworm, minbase + python3 + CA
# certificates) with debootstrap, for machines that reach Debian's mirror but no image
# registry. Where a registry is reachable, skip this and build with
# `--build-arg BASE=docker.io/library/debian:bookworm-slim` instead.
#
#   deploy/container/build-base.sh [--force]
#
# The image stays in podman's store, so later runs (CI included) reuse it: nothing is done
# when it exists, unless --force.
set -euo pipefail
IMAGE=${DARI_BASE_IMAGE:-localhost/dari/base:bookworm}
# The mirror apt on this host uses (or DEBIAN_MIRROR).
MIRROR=${DEBIAN_MIRROR:-$( (grep -rhE '^(deb |URIs:)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true) \
  | grep -oE 'https?://[^ ]+/debian/?$|https?://[^ ]+/debian/? ' | grep -v security | head -n1 | tr -d ' ')}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

if [ "${1:-}" != "--force" ] && podman image exists "$IMAGE"; then
  echo "base: $IMAGE exists (use --force to rebuild)"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "base: debootstrap is not installed" >&2; exit 1; }
root=$(mktemp -d /var/tmp/dari-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "base: debootstrap bookworm from $MIRROR"
debootstrap --variant=minbase --include=python3,ca-certificates bookworm "$root" "$MIRROR" >/dev/null
# apt inside later builds uses the same mirror; keep the image small.
echo "deb $MIRROR bookworm main" > "$root/etc/apt/sources.list"
echo "deb $MIRROR bookworm-updates main" >> "$root/etc/apt/sources.list"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | podman import \
  --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$IMAGE" >/dev/null
echo "base: built $IMAGE"
