-- The PostgreSQL clusters this service places tenants on (ClusterRegistry). Configuration seeds
-- them (source CONFIG, whose connection settings follow the configuration at each start); more are
-- registered over the admin API (source API). No password is stored: a registered cluster names
-- the property or environment variable that holds it (password_ref), resolved by each instance.
create table tenant_cluster (
    name                   text        primary key,
    jdbc_url               text        not null,
    username               text        not null,
    password_ref           text,
    role                   text        not null check (role in ('SHARED', 'DEDICATED', 'ENTERPRISE')),
    region                 text        not null,
    capacity               int         not null check (capacity > 0),
    high_water_mark        numeric     not null default 0.85 check (high_water_mark > 0 and high_water_mark <= 1),
    pool_max_size          int,
    database_pool_max_size int,
    state                  text        not null default 'ACTIVE'
                                       check (state in ('ACTIVE', 'UNHEALTHY', 'DRAINING', 'DRAINED')),
    source                 text        not null check (source in ('CONFIG', 'API')),
    reason                 text,
    created_at             timestamptz not null default now(),
    updated_at             timestamptz not null default now()
);

-- Every instance reloads the clusters as soon as one is added or changed (PlacementChanges).
create function cluster_changed() returns trigger
    language plpgsql as $$
begin
    perform pg_notify('tierflow_cluster', new.name);
    return null;
end
$$;

create trigger cluster_changed
    after insert or update on tenant_cluster
    for each row execute function cluster_changed();
