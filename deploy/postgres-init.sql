-- Databases of every service (docker-compose). Each tenant-data service owns a control database
-- and one database per cluster role; tenant databases are created beside them at run time.
create database tenant;
create database simulation;
create database simulation_shared;
create database simulation_dedicated;
create database simulation_enterprise;
create database file;
create database file_shared;
create database file_dedicated;
create database file_enterprise;
create database billing;
create database billing_shared;
create database billing_dedicated;
create database billing_enterprise;
create database analytics;
create database analytics_shared;
create database analytics_dedicated;
create database analytics_enterprise;
create database gateway;
