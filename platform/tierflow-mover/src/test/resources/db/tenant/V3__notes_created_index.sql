-- A plain index beside the primary key, so that a move's copy rebuilds both kinds
-- (TenantMoverIT).
create index notes_created on notes (tenant_id, created);
