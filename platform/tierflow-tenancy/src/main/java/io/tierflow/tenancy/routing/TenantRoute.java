package io.tierflow.tenancy.routing;

import javax.sql.DataSource;

import io.tierflow.tenancy.placement.TenantPlacement;

/** A resolved placement: the pool to borrow from and the schema to search. */
public record TenantRoute(TenantPlacement placement, DataSource dataSource) {

	public String schema() {
		return this.placement.schema();
	}

}
