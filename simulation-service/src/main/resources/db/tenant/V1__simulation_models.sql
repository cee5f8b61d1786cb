create table simulation_model (
    tenant_id   uuid        not null,
    id          uuid        not null,
    name        text        not null,
    description text,
    definition  jsonb       not null default '{}'::jsonb,
    created_at  timestamptz not null default now(),
    primary key (tenant_id, id)
);

create unique index simulation_model_name on simulation_model (tenant_id, name);
