#!/bin/sh
# docker-entrypoint-initdb.d script of docker-compose.yml's PostgreSQL clusters: creates
# Tierflow's roles and databases (deploy/postgres-init.sql) on the cluster named by
# TIERFLOW_CLUSTER (shared, dedicated or enterprise), with the passwords of the environment.
set -eu
is() { [ "$TIERFLOW_CLUSTER" = "$1" ] && echo true || echo false; }
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v shared="$(is shared)" -v dedicated="$(is dedicated)" -v enterprise="$(is enterprise)" \
  -v tenant_password="$TIERFLOW_TENANT_DB_PASSWORD" \
  -v gateway_password="$TIERFLOW_GATEWAY_DB_PASSWORD" \
  -v simulation_password="$TIERFLOW_SIMULATION_DB_PASSWORD" \
  -v file_password="$TIERFLOW_FILE_DB_PASSWORD" \
  -v billing_password="$TIERFLOW_BILLING_DB_PASSWORD" \
  -v analytics_password="$TIERFLOW_ANALYTICS_DB_PASSWORD" \
  -f /tierflow/postgres-init.sql
