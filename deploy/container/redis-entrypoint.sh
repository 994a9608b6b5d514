#!/bin/sh
# Redis over TLS 1.3 only. Clients with a certificate must present one from the internal CA;
# clients without one are allowed (the job queue's client cannot present one) but need the
# password. Extra arguments go to redis-server.
#
# The password goes to redis-server in a config file readable only by this user, not as an
# argument: arguments are visible to every user of the host in `ps`.
set -eu
: "${REDIS_PASSWORD:?set REDIS_PASSWORD}"
case "$REDIS_PASSWORD" in
  *"
"*) echo "redis-entrypoint: REDIS_PASSWORD must be one line" >&2; exit 64 ;;
esac
umask 077
conf=$(mktemp -t redis-secret.XXXXXX)
# Redis config strings: double-quoted, with backslash and double quote escaped.
escaped=$(printf '%s' "$REDIS_PASSWORD" | sed 's/[\\"]/\\&/g')
printf 'requirepass "%s"\n' "$escaped" > "$conf"
unset REDIS_PASSWORD escaped
exec redis-server "$conf" \
  --bind 0.0.0.0 --protected-mode no \
  --port 0 --tls-port 6379 \
  --tls-cert-file /etc/dari/tls/cert.pem --tls-key-file /etc/dari/tls/key.pem \
  --tls-ca-cert-file /etc/dari/tls/ca.pem \
  --tls-protocols TLSv1.3 --tls-auth-clients optional \
  --dir /data --appendonly yes --appendfsync everysec \
  --maxmemory "${REDIS_MAXMEMORY:-256mb}" --maxmemory-policy noeviction \
  "$@"
