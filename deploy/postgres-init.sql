-- Roles and databases of one of docker-compose.yml's three PostgreSQL clusters, run once when
-- the cluster is created, by deploy/postgres/init-tierflow.sh: psql variables say which cluster
-- this is (shared, dedicated, enterprise: booleans) and give each role's password.
--
-- Every service signs in as its own role, never the superuser. A tenant-data service's role
-- owns its databases on every cluster, creates the tenant databases of the enterprise tier
-- (CREATEDB), its application role <service>_app (CREATEROLE; the service makes it at start-up
-- with TIERFLOW_APP_PASSWORD: no table, no BYPASSRLS) and the mover's logical replication slots
-- (REPLICATION). tenant-service and the gateway only own their one database each.
\set ON_ERROR_STOP on

create role simulation_owner login createdb createrole replication password :'simulation_password';
create role file_owner login createdb createrole replication password :'file_password';
create role billing_owner login createdb createrole replication password :'billing_password';
create role analytics_owner login createdb createrole replication password :'analytics_password';

\if :shared
-- The control databases and the shared tier.
create role tenant_owner login password :'tenant_password';
create role gateway_owner login password :'gateway_password';
create database tenant owner tenant_owner;
create database gateway owner gateway_owner;
create database simulation owner simulation_owner;
create database simulation_shared owner simulation_owner;
create database file owner file_owner;
create database file_shared owner file_owner;
create database billing owner billing_owner;
create database billing_shared owner billing_owner;
create database analytics owner analytics_owner;
create database analytics_shared owner analytics_owner;
\endif

\if :dedicated
create database simulation_dedicated owner simulation_owner;
create database file_dedicated owner file_owner;
create database billing_dedicated owner billing_owner;
create database analytics_dedicated owner analytics_owner;
\endif

\if :enterprise
-- Tenant databases are created beside these at run time.
create database simulation_enterprise owner simulation_owner;
create database file_enterprise owner file_owner;
create database billing_enterprise owner billing_owner;
create database analytics_enterprise owner analytics_owner;
\endif
