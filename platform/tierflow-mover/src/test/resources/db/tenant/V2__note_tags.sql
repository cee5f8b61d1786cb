-- A second version, so that an archive written at version 1 can be imported and migrated
-- forward (TenantArchiverIT).
alter table notes add column tags text not null default '';
