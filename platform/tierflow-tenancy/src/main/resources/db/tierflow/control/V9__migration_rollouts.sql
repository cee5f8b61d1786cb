-- Rollouts of a new tenant migration over the service's stores (MigrationRollouts): a canary
-- wave, then batches, halted when too many stores fail, paused and resumed by an operator, and
-- carried on after a restart by whichever instance takes the rollout's advisory lock.
create table migration_rollout (
    rollout_id       uuid        primary key,
    target_version   text        not null,
    state            text        not null check (state in ('RUNNING', 'PAUSED', 'HALTED', 'COMPLETED', 'SUPERSEDED')),
    canary           int         not null,
    batch_size       int         not null,
    max_failure_rate numeric     not null,
    reason           text,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    ended_at         timestamptz
);

-- One open rollout per service at a time, across every instance.
create unique index migration_rollout_open on migration_rollout ((true))
    where state in ('RUNNING', 'PAUSED', 'HALTED');

create table migration_rollout_store (
    rollout_id    uuid        not null references migration_rollout on delete cascade,
    cluster       text        not null,
    database_name text        not null,
    schema_name   text        not null,
    wave          int         not null,
    state         text        not null check (state in ('PENDING', 'MIGRATED', 'FAILED', 'BUSY', 'GONE')),
    tries         int         not null default 0,
    took_ms       bigint,
    error         text,
    ended_at      timestamptz,
    primary key (rollout_id, cluster, database_name, schema_name)
);

create index migration_rollout_store_wave on migration_rollout_store (rollout_id, wave, state);
