-- Tier moves of this service's tenants (TenantMover): one row per move, kept after it ends.
create table tenant_move (
    move_id         uuid        primary key,
    tenant_id       uuid        not null,
    from_epoch      bigint      not null,
    from_cluster    text        not null,
    from_database   text        not null,
    from_schema     text        not null,
    from_isolation  text        not null,
    to_tier         text        not null,
    to_cluster      text        not null,
    to_database     text        not null,
    to_schema       text        not null,
    to_isolation    text        not null,
    phase           text        not null,
    changes_applied bigint      not null default 0,
    lag_ms          bigint,
    outcome         text,
    reason          text,
    checksums       text,
    fenced_ms       bigint,
    started_at      timestamptz not null default now(),
    heartbeat_at    timestamptz not null default now(),
    ended_at        timestamptz
);

-- One move per tenant at a time, across every instance of the service.
create unique index tenant_move_running on tenant_move (tenant_id) where outcome is null;
