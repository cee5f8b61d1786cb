-- How many placements each cluster holds, kept by a trigger. Every placement decision reads
-- them (the cluster with room, ClusterSelector) under the service-wide placement lock; counted
-- from tenant_placement, the decision scanned every placement, which at 100,000 tenants
-- capped provisioning at a few dozen a second and grew with each tenant placed.
create table tenant_cluster_count (
    cluster text primary key,
    tenants bigint not null default 0
);

insert into tenant_cluster_count (cluster, tenants)
select cluster, count(*) from tenant_placement group by cluster;

create function count_cluster_tenants() returns trigger
    language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into tenant_cluster_count as c (cluster, tenants) values (new.cluster, 1)
        on conflict (cluster) do update set tenants = c.tenants + 1;
    elsif tg_op = 'DELETE' then
        update tenant_cluster_count set tenants = tenants - 1 where cluster = old.cluster;
    elsif new.cluster is distinct from old.cluster then
        insert into tenant_cluster_count (cluster, tenants) values (new.cluster, 0)
        on conflict (cluster) do nothing;
        -- Both rows locked in one order, so that two moves in opposite directions never
        -- deadlock on the counts.
        perform 1 from tenant_cluster_count where cluster in (old.cluster, new.cluster)
        order by cluster for update;
        update tenant_cluster_count set tenants = tenants + 1 where cluster = new.cluster;
        update tenant_cluster_count set tenants = tenants - 1 where cluster = old.cluster;
    end if;
    return null;
end
$$;

create trigger count_cluster_tenants
    after insert or delete or update of cluster on tenant_placement
    for each row execute function count_cluster_tenants();
