-- Audit trail: every state-changing request and admin action, succeeded or refused, one row
-- each, written in the transaction of the change it records. Rows are chained per tenant
-- (the tenant the action concerns; platform actions without one chain under the nil UUID):
-- hash = SHA-256(previous row's hash || the row's canonical content), so a row changed,
-- removed or inserted afterwards breaks its chain (GET /api/v1/audit/verify).
--
-- The rows hold ids, never names or e-mail addresses, and stay when the tenant is erased:
-- they are records of what was done, kept like invoices.

-- The head of each chain: its last position and hash (0 and 32 zero bytes for a new chain,
-- inside the transaction of its first record). Appends lock it (select ... for update), so
-- the appends to one chain queue and each sees the one before; other chains are not held up.
create table audit_chain (
    chain_id  uuid   primary key,
    last_seq  bigint not null check (last_seq >= 0),
    last_hash bytea  not null
);

create table audit_record (
    id              uuid        primary key,
    chain_id        uuid        not null,
    seq             bigint      not null check (seq > 0),
    tenant_id       uuid,
    occurred_at     timestamptz not null,
    action          text        not null,
    target_type     text        not null,
    target_id       text,
    actor_subject   text        not null,
    actor_tenant_id uuid,
    actor_client_id text,
    outcome         text        not null check (outcome in ('SUCCEEDED', 'REFUSED', 'FAILED')),
    status          integer,
    request_id      text,
    prev_hash       bytea       not null,
    hash            bytea       not null,
    unique (chain_id, seq),
    check (chain_id = coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid))
);

-- A tenant's trail, newest first, page after page.
create index audit_record_chain_order on audit_record (chain_id, id);

-- Append-only, also for a session that bypasses the service: no UPDATE, DELETE or
-- TRUNCATE of a record; a chain head only advances, one row at a time, and is never
-- removed.
create function audit_record_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_record is append-only: % refused', tg_op using errcode = '42501';
end
$$;

create trigger audit_record_no_change before update or delete on audit_record
    for each row execute function audit_record_append_only();

create trigger audit_record_no_truncate before truncate on audit_record
    for each statement execute function audit_record_append_only();

create function audit_chain_advance_only() returns trigger language plpgsql as $$
begin
    if tg_op <> 'UPDATE' or new.chain_id <> old.chain_id or new.last_seq <> old.last_seq + 1 then
        raise exception 'audit_chain heads only advance by one record: % refused', tg_op using errcode = '42501';
    end if;
    return new;
end
$$;

create trigger audit_chain_advance_only before update or delete on audit_chain
    for each row execute function audit_chain_advance_only();

create trigger audit_chain_no_truncate before truncate on audit_chain
    for each statement execute function audit_record_append_only();
