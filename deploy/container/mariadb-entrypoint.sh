#!/bin/bash
# First start: create the data directory, the root password, Dari's database and account
# (TLS required). Later starts: just run the server. Extra arguments go to mariadbd
# (e.g. --innodb-buffer-pool-size=256M).
set -euo pipefail
DATADIR=/var/lib/mysql
if [ ! -d "$DATADIR/mysql" ]; then
  : "${MARIADB_ROOT_PASSWORD:?set MARIADB_ROOT_PASSWORD}" "${MARIADB_PASSWORD:?set MARIADB_PASSWORD}"
  DB=${MARIADB_DATABASE:-dari}; USERNAME=${MARIADB_USER:-dari}
  echo "mariadb: first start, creating $DATADIR"
  mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
    --skip-test-db >/dev/null
  mariadbd --datadir="$DATADIR" --skip-networking --socket=/run/mysqld/init.sock &
  pid=$!
  for _ in $(seq 1 60); do
    mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1 && break
    sleep 1
  done
  mariadb --socket=/run/mysqld/init.sock --user=root <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '${MARIADB_ROOT_PASSWORD}';
DELETE FROM mysql.global_priv WHERE User='';
CREATE DATABASE IF NOT EXISTS \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '${USERNAME}'@'%' IDENTIFIED BY '${MARIADB_PASSWORD}' REQUIRE SSL;
GRANT ALL PRIVILEGES ON \`${DB}\`.* TO '${USERNAME}'@'%';
FLUSH PRIVILEGES;
SQL
  kill "$pid"; wait "$pid" || true
  echo "mariadb: database ${DB} and account ${USERNAME} (REQUIRE SSL) created"
fi
exec mariadbd --datadir="$DATADIR" "$@"
