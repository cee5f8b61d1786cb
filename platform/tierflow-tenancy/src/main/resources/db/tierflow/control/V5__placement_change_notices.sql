-- Every instance of a service caches routes. When a placement that may be cached (it was READY)
-- changes or goes, the change is announced on commit, so that every instance forgets the route at
-- once (PlacementChanges) instead of when the cache's time to live runs out: a tenant moved to
-- another tier is not read from its old store, a suspended one is not served.
create function placement_changed() returns trigger
    language plpgsql as $$
begin
    perform pg_notify('tierflow_placement', old.tenant_id::text);
    return null;
end
$$;

create trigger placement_changed
    after update or delete on tenant_placement
    for each row when (old.state = 'READY')
    execute function placement_changed();
