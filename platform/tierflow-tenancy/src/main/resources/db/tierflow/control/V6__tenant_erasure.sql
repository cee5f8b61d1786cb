-- The tombstone of an erased tenant, and the record of an erase under way. Written when the
-- erase starts (state ERASING, with the report counted before anything is removed, so that a
-- resumed or repeated erase answers the same report); the tenant's placement row goes when
-- the erase ends (state ERASED). Late events for the tenant are dropped because this row says
-- so, and nothing ever places the tenant again while it is here.
create table tenant_erasure (
    tenant_id     uuid        primary key,
    state         text        not null check (state in ('ERASING', 'ERASED')),
    tier          text,
    isolation     text,
    cluster       text,
    database_name text,
    schema_name   text,
    report        text,
    started_at    timestamptz not null default now(),
    erased_at     timestamptz
);
