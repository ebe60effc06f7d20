#!/bin/sh
# Run by the postgres image once, when the pgdata volume is first initialised: one login role and
# one database per node, each owned by its role. (Sourced by the image's entrypoint; no `set -u`.)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v national_password="${NATIONAL_DB_PASSWORD:?NATIONAL_DB_PASSWORD is not set}" \
  -v provincial_password="${PROVINCIAL_DB_PASSWORD:?PROVINCIAL_DB_PASSWORD is not set}" <<'SQL'
CREATE ROLE tmis_national LOGIN PASSWORD :'national_password';
CREATE DATABASE tmis_national OWNER tmis_national;
CREATE ROLE tmis_provincial_11 LOGIN PASSWORD :'provincial_password';
CREATE DATABASE tmis_provincial_11 OWNER tmis_provincial_11;
SQL
