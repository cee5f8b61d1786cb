package io.tierflow.tenancy.placement;

/**
 * A physical location of tenant tables: one schema in one database of one cluster. ROW
 * tenants of a cluster share one store; SCHEMA and DATABASE tenants have one each.
 */
public record StoreKey(String cluster, String database, String schema) {

	@Override
	public String toString() {
		return this.cluster + "/" + this.database + "/" + this.schema;
	}

}
