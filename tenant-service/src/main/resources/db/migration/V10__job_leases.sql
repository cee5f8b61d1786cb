-- Leases of the jobs that run on one instance of the service at a time (JobLeases):
-- ShedLock's table, one row per job, its times from the database's clock (UTC). A row
-- whose lock_until has passed is free; the instance that moves lock_until forward holds it.
create table shedlock (
    name       varchar(64)  not null primary key,
    lock_until timestamp    not null,
    locked_at  timestamp    not null,
    locked_by  varchar(255) not null
);
