create table meter (
    tenant_id   uuid        not null,
    id          uuid        not null,
    key         text        not null,
    unit        text        not null,
    description text,
    created_at  timestamptz not null default now(),
    primary key (tenant_id, id)
);

create unique index meter_key on meter (tenant_id, key);
