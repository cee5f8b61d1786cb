-- A later tenant migration for MigrationRolloutsIT: what a rollout brings the stores to.
alter table notes add column tag text;
create index notes_tag on notes (tag);
