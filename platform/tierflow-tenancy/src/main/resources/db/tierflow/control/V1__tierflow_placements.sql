-- Placements of this service's tenants and the physical stores behind them.
create table tenant_store (
    cluster        text        not null,
    database_name  text        not null,
    schema_name    text        not null,
    isolation      text        not null,
    schema_version text,
    state          text        not null,
    error          text,
    updated_at     timestamptz not null default now(),
    primary key (cluster, database_name, schema_name)
);

create table tenant_placement (
    tenant_id     uuid        primary key,
    tier          text        not null,
    isolation     text        not null,
    cluster       text        not null,
    database_name text        not null,
    schema_name   text        not null,
    region        text        not null,
    epoch         bigint      not null default 1,
    state         text        not null,
    suspended     boolean     not null default false,
    error         text,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    foreign key (cluster, database_name, schema_name) references tenant_store
);

create index tenant_placement_cluster on tenant_placement (cluster);
