create table folder (
    tenant_id   uuid        not null,
    id          uuid        not null,
    name        text        not null,
    description text,
    created_at  timestamptz not null default now(),
    primary key (tenant_id, id)
);

create unique index folder_name on folder (tenant_id, name);
