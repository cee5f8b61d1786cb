-- Files of a tenant: the metadata of bytes kept in the blob store under (tenant_id, id).
-- A row exists only once its blob is in place (the blob is written first).
create table file (
    tenant_id    uuid        not null,
    id           uuid        not null,
    folder_id    uuid,
    name         text        not null,
    content_type text        not null,
    size         bigint      not null check (size >= 0),
    sha256       text        not null,
    uploaded_by  text,
    created_at   timestamptz not null default now(),
    primary key (tenant_id, id)
);

create index file_folder on file (tenant_id, folder_id, id);

-- What a tenant stores, kept in the same transactions as its files. Uploads and deletions
-- lock the row (select ... for update) so concurrent uploads can never pass the quota together.
create table storage_usage (
    tenant_id uuid   not null,
    bytes     bigint not null default 0 check (bytes >= 0),
    files     bigint not null default 0 check (files >= 0),
    primary key (tenant_id)
);
