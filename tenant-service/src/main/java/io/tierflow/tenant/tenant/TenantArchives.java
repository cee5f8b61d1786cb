package io.tierflow.tenant.tenant;

import java.util.Map;
import java.util.UUID;

import io.tierflow.events.DomainEvent;

/**
 * What the tenant lifecycle asks of a tenant's exports and imports, which keep their own
 * records and archives of it: to apply the tenant-data services' export and import
 * replies (the {@link ProvisioningSaga} alone consumes the replies topic), and to remove
 * all of it when the tenant is erased. The archive feature implements it; the lifecycle
 * does not depend on that feature's types.
 */
public interface TenantArchives {

	/**
	 * Applies an export_progress, exported or imported reply, in the caller's
	 * transaction, which has checked that the tenant's erase has not started. A reply may
	 * come more than once: it is applied by state.
	 */
	void reply(DomainEvent event);

	/**
	 * A reply dropped because the tenant's erase has started: removes what it says was
	 * written meanwhile (a part of an export that finished after the erase began). Writes
	 * no row.
	 */
	void dropped(DomainEvent event);

	/**
	 * Removes every record and archive of the tenant's exports and imports, and its id
	 * from the imports of other tenants made from its archives, in the erase's
	 * transaction.
	 * @return rows deleted per table
	 */
	Map<String, Long> erase(UUID tenantId);

}
