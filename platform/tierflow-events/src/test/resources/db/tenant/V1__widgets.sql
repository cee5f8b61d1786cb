-- The test application's tenant tables: the state a command changes (widget) and the state an
-- event consumer changes (widget_tally). Same definitions on every placement.
create table widget (
    tenant_id uuid not null,
    id        uuid not null,
    name      text not null,
    sequence  int  not null,
    primary key (tenant_id, id)
);

create table widget_tally (
    tenant_id uuid   not null,
    name      text   not null,
    count     bigint not null,
    primary key (tenant_id, name)
);
