-- Messages for the users of a tenant, addressed to a token subject (a user's id for the
-- users tenant-service creates). Written by the notifications consumer from domain events.
create table notification (
    tenant_id  uuid        not null references tenant (id),
    id         uuid        not null,
    recipient  text        not null,
    kind       text        not null,
    title      text        not null,
    body       text        not null,
    event_id   text        not null,
    created_at timestamptz not null default now(),
    read_at    timestamptz,
    primary key (tenant_id, id)
);

create index notification_inbox on notification (tenant_id, recipient, created_at desc);
