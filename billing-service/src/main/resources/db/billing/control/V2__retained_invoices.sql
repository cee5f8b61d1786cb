-- The final invoices of erased tenants: legal records, kept after the tenant's store is gone
-- for tierflow.billing.invoicing.retention (counted from finalized_at), then purged. Copied
-- from the tenant's store just before the erase, keyed as there so a repeated copy changes
-- nothing. Only what an invoice needs: amounts, quantities, prices and the generated
-- descriptions; not the ids of the usage events behind each line, whose events are erased.
create table retained_invoice (
    tenant_id    uuid           not null,
    id           uuid           not null,
    period       date           not null,
    currency     text           not null,
    total        numeric(14, 2) not null,
    finalized_at timestamptz    not null,
    retained_at  timestamptz    not null default now(),
    primary key (tenant_id, id)
);

create index retained_invoice_finalized on retained_invoice (finalized_at);

create table retained_invoice_line (
    tenant_id   uuid           not null,
    invoice_id  uuid           not null,
    line_no     int            not null,
    kind        text           not null,
    description text           not null,
    quantity    numeric        not null,
    unit        text           not null,
    unit_price  numeric        not null,
    amount      numeric(14, 2) not null,
    note        text,
    primary key (tenant_id, invoice_id, line_no),
    foreign key (tenant_id, invoice_id) references retained_invoice on delete cascade
);
