-- Only storage deltas are read by time across months (the bytes stored at an instant, the deltas
-- of a month); iterations and users are read by period. A partial index keeps the other usage
-- rows, most of them, out of it: one index entry less to write per metered event.
drop index usage_record_occurred;
create index usage_record_storage on usage_record (tenant_id, occurred_at) where kind = 'STORAGE_BYTES';
