-- Exports: every tenant-data service writes its part of a tenant's archive
-- (<archives>/<export id>/<service>.zip) and reports rows and bytes as it goes; the export is
-- COMPLETED once every part is written, FAILED as soon as one part failed.
create table tenant_export (
    id           uuid        primary key,
    tenant_id    uuid        not null references tenant (id),
    status       text        not null check (status in ('RUNNING', 'COMPLETED', 'FAILED')),
    reason       text,
    requested_by text        not null,
    requested_at timestamptz not null default now(),
    finished_at  timestamptz
);

-- One export runs per tenant at a time; the newest exports of a tenant are listed first.
create unique index tenant_export_one_running on tenant_export (tenant_id) where status = 'RUNNING';
create index tenant_export_by_tenant on tenant_export (tenant_id, requested_at desc);

-- One service's part of an export, as its replies report it.
create table tenant_export_part (
    export_id      uuid        not null references tenant_export (id),
    service        text        not null,
    status         text        not null default 'PENDING'
        check (status in ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    rows_written   bigint      not null default 0,
    bytes_written  bigint      not null default 0,
    schema_version text,
    -- rows and checksum per table: {"runs": {"rows": 10, "sum": 123}}
    tables         jsonb,
    reason         text,
    updated_at     timestamptz not null default now(),
    primary key (export_id, service)
);

-- Imports: a tenant created from an archive, verified by tenant-service before it exists;
-- every tenant-data service loads its part and verifies every table before the tenant is
-- ACTIVE. archive_id is the export's id when the archive is an export of this suite
-- (export_id set), or the directory the uploaded archive's parts were placed in.
create table tenant_import (
    id               uuid        primary key,
    tenant_id        uuid        not null references tenant (id),
    archive_id       uuid        not null,
    export_id        uuid,
    source_tenant_id uuid,
    status           text        not null check (status in ('RUNNING', 'COMPLETED', 'FAILED')),
    reason           text,
    requested_by     text        not null,
    requested_at     timestamptz not null default now(),
    finished_at      timestamptz
);

create index tenant_import_by_tenant on tenant_import (tenant_id);
create index tenant_import_by_source on tenant_import (source_tenant_id);
create index tenant_import_by_export on tenant_import (export_id) where status = 'RUNNING';

-- One service's part of an import, as its tenant.imported reply reports it.
create table tenant_import_part (
    import_id    uuid        not null references tenant_import (id),
    service      text        not null,
    status       text        not null default 'PENDING' check (status in ('PENDING', 'SUCCEEDED', 'FAILED')),
    -- the table (or entry) that failed verification, or null
    failed_table text,
    reason       text,
    tier         text,
    isolation    text,
    cluster      text,
    tables       jsonb,
    rows_loaded  bigint      not null default 0,
    updated_at   timestamptz not null default now(),
    primary key (import_id, service)
);
