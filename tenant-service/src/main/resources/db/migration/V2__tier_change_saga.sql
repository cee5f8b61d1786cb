-- The tier-change saga: a change moves the tenant's data in every service taking part (a
-- forward round), and moves back the services that succeeded when another failed (a rollback
-- round). A rebalance is a change that keeps the plan and tier and moves to another cluster.
alter table tier_change
    add column kind        text        not null default 'TIER_CHANGE',
    add column services    text[]      not null default '{}',
    add column finished_at timestamptz;

alter table tier_change
    add constraint tier_change_kind check (kind in ('TIER_CHANGE', 'REBALANCE')),
    add constraint tier_change_status
        check (status in ('REQUESTED', 'ROLLING_BACK', 'COMPLETED', 'ROLLED_BACK', 'ROLLBACK_FAILED'));

drop index tier_change_one_open;

create unique index tier_change_one_open on tier_change (tenant_id) where status in ('REQUESTED', 'ROLLING_BACK');

-- One service's move of a tenant in one round of a change, as its replies report it.
create table tier_change_move (
    change_id       uuid        not null references tier_change (id),
    service         text        not null,
    rollback        boolean     not null,
    move_id         uuid,
    status          text        not null default 'PENDING'
        check (status in ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    phase           text,
    changes_applied bigint      not null default 0,
    lag_ms          bigint,
    reason          text,
    checksums       jsonb,
    fenced_ms       bigint,
    tier            text,
    isolation       text,
    cluster         text,
    epoch           bigint,
    updated_at      timestamptz not null default now(),
    primary key (change_id, service, rollback)
);

-- Changes requested before the saga existed were announced to every tenant-data service (the
-- event had no list of services): they take part with the default services.
update tier_change set services = array['simulation', 'file', 'billing', 'analytics'] where status = 'REQUESTED';

insert into tier_change_move (change_id, service, rollback)
select c.id, s.service, false
from tier_change c cross join unnest(c.services) as s (service)
where c.status = 'REQUESTED';
