-- A seat per user of the tenant, added once per user.created (io.tierflow.events.seats.UserSeats):
-- the storage quota grows by a per-user allowance for each.
create table user_seat (
    tenant_id  uuid        not null,
    user_id    uuid        not null,
    event_id   text        not null,
    created_at timestamptz not null,
    primary key (tenant_id, user_id)
);
