create table dashboard (
    tenant_id  uuid        not null,
    id         uuid        not null,
    name       text        not null,
    definition jsonb       not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id)
);

create unique index dashboard_name on dashboard (tenant_id, name);
