#!/usr/bin/env bash
# Make the internal CA (once) and every service certificate compose.yaml mounts, each owned
# by the user its container runs as. Run as root (the owners are container users):
#
#   deploy/container/certs.sh [DIR] [PUBLIC_NAME...]
#
# DIR defaults to deploy/container/certs; PUBLIC_NAME: names the proxy's certificate carries
# besides localhost (replace the proxy's cert.pem/key.pem with a public CA's where users'
# browsers must trust it without the internal CA). DARI: the dari command (default: the
# image's, run with podman; or .venv/bin/dari).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DIR=$(realpath -m "${1:-$here/certs}"); shift || true
if [ -n "${DARI:-}" ]; then
  dari() { $DARI "$@"; }
else
  dari() {
    podman run --rm --user 0 --entrypoint dari -v "$DIR:$DIR" \
      "localhost/dari/dari:${DARI_IMAGE_TAG:-latest}" "$@"
  }
fi
mkdir -p "$DIR"
[ -f "$DIR/ca/ca.pem" ] || dari certs init --dir "$DIR"
DARI_UID=10001 MARIADB_UID=10002 REDIS_UID=10003 PROXY_UID=33
for role in api-server chat-server auth-server worker training-server migrate; do
  dari certs issue "$role" --dir "$DIR" --owner "$DARI_UID" >/dev/null
done
# The cpu profile's cpu-app runs api, chat and worker: one certificate with their three names.
dari certs issue app --dir "$DIR" --owner "$DARI_UID" --dns api-server --dns chat-server \
  --dns worker >/dev/null
dari certs issue mariadb --dir "$DIR" --owner "$MARIADB_UID" >/dev/null
dari certs issue redis --dir "$DIR" --owner "$REDIS_UID" >/dev/null
dari certs issue prometheus --dir "$DIR" --owner 65534 >/dev/null
public=()
for name in "$@"; do public+=(--dns "$name"); done
dari certs issue proxy --dir "$DIR" --owner "$PROXY_UID" --dns localhost --ip 127.0.0.1 \
  "${public[@]}" >/dev/null
dari certs list --dir "$DIR"
