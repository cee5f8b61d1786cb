#!/bin/sh
# Creates the Secrets Tierflow's manifests read, with random passwords, in the namespace
# tierflow. A Secret that exists is left as it is: run it again safely. The S3 keys and
# Prometheus' client are yours to give (environment variables below).
#
#   TIERFLOW_S3_ACCESS_KEY=... TIERFLOW_S3_SECRET_KEY=... \
#   TIERFLOW_PROMETHEUS_CLIENT_ID=... TIERFLOW_PROMETHEUS_CLIENT_SECRET=... ./create-secrets.sh
#
# The Kafka users' Secrets (tierflow-<service>) are written by Strimzi from kafka-users.yaml.
set -eu
NS=tierflow

random() { head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }

exists() { kubectl -n "$NS" get secret "$1" >/dev/null 2>&1; }

# A PostgreSQL role's credentials: CloudNativePG sets the role's password from it (postgres.yaml)
# and the service signs in with it (services.yaml).
basic_auth() { # name username
  exists "$1" || kubectl -n "$NS" create secret generic "$1" --type=kubernetes.io/basic-auth \
    --from-literal=username="$2" --from-literal=password="$(random)"
  kubectl -n "$NS" label --overwrite secret "$1" cnpg.io/reload=true >/dev/null
}

generic() { # name key=value...
  name=$1; shift
  exists "$name" || kubectl -n "$NS" create secret generic "$name" "$@"
}

basic_auth tierflow-pg-tenant-owner tenant_owner
basic_auth tierflow-pg-gateway-owner gateway_owner
basic_auth tierflow-pg-simulation-owner simulation_owner
basic_auth tierflow-pg-file-owner file_owner
basic_auth tierflow-pg-billing-owner billing_owner
basic_auth tierflow-pg-analytics-owner analytics_owner

# The application roles' passwords (<service>_app, created by each service at start-up).
generic tierflow-simulation-app-role --from-literal=password="$(random)"
generic tierflow-file-app-role --from-literal=password="$(random)"
generic tierflow-billing-app-role --from-literal=password="$(random)"
generic tierflow-analytics-app-role --from-literal=password="$(random)"

# file-service's S3 keys.
generic tierflow-s3 --from-literal=access-key="${TIERFLOW_S3_ACCESS_KEY:?}" \
  --from-literal=secret-key="${TIERFLOW_S3_SECRET_KEY:?}"

# Prometheus' OAuth 2 client, whose tokens carry SYSTEM_ADMIN (monitoring.yaml).
generic tierflow-prometheus-client --from-literal=client-id="${TIERFLOW_PROMETHEUS_CLIENT_ID:?}" \
  --from-literal=client-secret="${TIERFLOW_PROMETHEUS_CLIENT_SECRET:?}"

# The console's operator: a random password, printed once when the Secret is made, and only
# its bcrypt hash stored (htpasswd, from apache2-utils). Sign in at the gateway's root as admin.
operator_password="$(random)"
exists tierflow-console-operator || echo "Console operator: admin / $operator_password (shown this once)"
generic tierflow-console-operator --from-literal=username=admin \
  --from-literal=password-hash="{bcrypt}$(htpasswd -bnBC 10 "" "$operator_password" | tr -d ':\n')"
