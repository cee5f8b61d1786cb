create table notes (
    tenant_id uuid        not null,
    id        uuid        not null,
    body      text        not null,
    created   timestamptz not null default now(),
    primary key (tenant_id, id)
);
