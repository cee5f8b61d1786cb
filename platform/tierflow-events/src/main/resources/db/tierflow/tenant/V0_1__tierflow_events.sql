-- Outbox: events written in the same transaction as the state that causes them, relayed to Kafka
-- afterwards. Inbox: ids of events whose effect has been applied here, recorded with the effect.
create table outbox (
    tenant_id  uuid        not null,
    id         uuid        not null,
    topic      text        not null,
    type       text        not null,
    subject    text,
    data       jsonb       not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id)
);

create index outbox_relay_order on outbox (id);

create table inbox (
    tenant_id    uuid        not null,
    consumer     text        not null,
    event_id     text        not null,
    processed_at timestamptz not null default now(),
    primary key (tenant_id, consumer, event_id)
);
