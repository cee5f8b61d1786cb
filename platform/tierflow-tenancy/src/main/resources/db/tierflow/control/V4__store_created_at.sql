-- When a store was added, so that it can be listed in a stable order: the outbox relay probes
-- a database's outboxes a hundred at a time with one statement per chunk, and a stable order
-- keeps every chunk's text (and its prepared plan) the same as stores are added.
alter table tenant_store add column created_at timestamptz not null default now();
