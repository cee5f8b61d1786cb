-- Offboarding: a deleted tenant waits out its grace period (PENDING_ERASE), then every
-- tenant-data service erases it (ERASING) and reports what it removed; once all have, the
-- tenant's own rows here go too and the row stays as a scrubbed tombstone (ERASED).
alter table tenant
    add column delete_requested_at timestamptz,
    add column erase_after         timestamptz,
    add column erased_at           timestamptz,
    -- tenant-service's own part of the erase: rows deleted and kept, per table.
    add column erase_report        jsonb,
    -- An erased tenant's name and slug are scrubbed; its slug can be taken again.
    alter column slug drop not null;

-- Deletions requested before the grace period existed get the default one from now.
update tenant
set status = 'PENDING_ERASE', delete_requested_at = updated_at, erase_after = now() + interval '7 days'
where status = 'DELETION_REQUESTED';

-- The grace-period check reads only the tenants waiting for their erase.
create index tenant_erase_due on tenant (erase_after) where status = 'PENDING_ERASE';

-- Each service's erase report (the tenant.erased data) and when it erased, kept with the
-- placement row as that service's part of the tombstone.
alter table tenant_service_placement
    add column erase_report jsonb,
    add column erased_at    timestamptz;
