-- Bucket4j's token buckets, one row per tenant, shared by every gateway instance.
-- The state is Bucket4j's own serialization; expires_at (epoch milliseconds) lets
-- idle buckets be swept.
create table rate_limit_bucket (
    id varchar(64) primary key,
    state bytea,
    expires_at bigint
);
create index rate_limit_bucket_expires on rate_limit_bucket (expires_at);
