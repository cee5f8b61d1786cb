-- A tenant's own request rate at the gateway, set by a system admin over its tier's
-- (PUT /api/v1/tenants/{id}/rate-limit). Stamped into the tenant's tokens, which the
-- gateway limits by; null for the tier's limit.
alter table tenant add column rate_limit_rps bigint;
alter table tenant add column rate_limit_burst bigint;
alter table tenant add constraint tenant_rate_limit_whole check (
    (rate_limit_rps is null and rate_limit_burst is null)
    or (rate_limit_rps > 0 and rate_limit_burst > 0));
