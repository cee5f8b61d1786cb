-- Exports and imports of tenants in this service (TenantArchiver): one row per request, so a
-- redelivered request starts nothing new and is answered again with the kept result.
create table tenant_archive_job (
    job_id       uuid        not null,
    kind         text        not null check (kind in ('EXPORT', 'IMPORT')),
    tenant_id    uuid        not null,
    state        text        not null check (state in ('RUNNING', 'SUCCEEDED', 'FAILED')),
    result       text,
    started_at   timestamptz not null default now(),
    heartbeat_at timestamptz not null default now(),
    primary key (job_id, kind)
);

create index tenant_archive_job_tenant on tenant_archive_job (tenant_id);
