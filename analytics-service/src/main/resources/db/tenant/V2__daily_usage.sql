-- The tenant's usage per day (UTC), aggregated from the domain events as they arrive.
create table daily_usage (
    tenant_id       uuid   not null,
    day             date   not null,
    runs_started    bigint not null default 0,
    runs_completed  bigint not null default 0,
    runs_failed     bigint not null default 0,
    iterations      bigint not null default 0,
    cpu_ms          bigint not null default 0,
    files_uploaded  bigint not null default 0,
    files_deleted   bigint not null default 0,
    bytes_uploaded  bigint not null default 0,
    bytes_deleted   bigint not null default 0,
    users_created   bigint not null default 0,
    primary key (tenant_id, day)
);
