create table tenant (
    id            uuid        primary key,
    name          text        not null,
    slug          text        not null unique,
    plan          text        not null,
    tier          text        not null,
    region        text        not null,
    status        text        not null,
    status_reason text,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);

-- Each tenant-data service's report of where it placed the tenant (saga replies).
create table tenant_service_placement (
    tenant_id     uuid        not null references tenant (id),
    service       text        not null,
    state         text        not null,
    tier          text,
    isolation     text,
    cluster       text,
    database_name text,
    schema_name   text,
    epoch         bigint,
    reason        text,
    updated_at    timestamptz not null default now(),
    primary key (tenant_id, service)
);

create table tier_change (
    id           uuid        primary key,
    tenant_id    uuid        not null references tenant (id),
    from_plan    text        not null,
    to_plan      text        not null,
    from_tier    text        not null,
    to_tier      text        not null,
    status       text        not null,
    reason       text,
    requested_by text        not null,
    requested_at timestamptz not null default now()
);

create unique index tier_change_one_open on tier_change (tenant_id) where status = 'REQUESTED';

create table tenant_user (
    tenant_id  uuid        not null references tenant (id),
    id         uuid        not null,
    email      text        not null,
    name       text        not null,
    role       text        not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, email)
);
