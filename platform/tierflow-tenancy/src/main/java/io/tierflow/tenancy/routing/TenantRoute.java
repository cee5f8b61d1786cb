package io.tierflow.tenancy.routing;

import io.tierflow.tenancy.placement.TenantPlacement;

/**
 * A resolved placement: where the tenant's store is and which schema to search. The pool
 * is looked up per connection, since per-database pools come and go in their LRU cache.
 */
public record TenantRoute(TenantPlacement placement) {

	public String schema() {
		return this.placement.schema();
	}

}
