#!/bin/sh
# Redis over TLS 1.3 only. Clients with a certificate must present one from the internal CA;
# clients without one are allowed (the job queue's client cannot present one) but need the
# password. Extra arguments go to redis-server.
set -eu
: "${REDIS_PASSWORD:?set REDIS_PASSWORD}"
exec redis-server \
  --bind 0.0.0.0 --protected-mode no \
  --port 0 --tls-port 6379 \
  --tls-cert-file /etc/dari/tls/cert.pem --tls-key-file /etc/dari/tls/key.pem \
  --tls-ca-cert-file /etc/dari/tls/ca.pem \
  --tls-protocols TLSv1.3 --tls-auth-clients optional \
  --requirepass "$REDIS_PASSWORD" \
  --dir /data --appendonly yes --appendfsync everysec \
  --maxmemory "${REDIS_MAXMEMORY:-256mb}" --maxmemory-policy noeviction \
  "$@"
