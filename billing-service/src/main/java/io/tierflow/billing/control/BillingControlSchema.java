package io.tierflow.billing.control;

import io.tierflow.tenancy.TenancyProperties;
import org.flywaydb.core.Flyway;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Billing's own tables in the control database, schema {@code billing}: what exists
 * before a tenant's store does (parked usage) and what outlives it (the invoices of
 * erased tenants). Migrated by Flyway at start-up from {@code db/billing/control}, with a
 * history of its own; the repositories of those tables depend on this bean so that they
 * never run before it.
 */
@Component
public class BillingControlSchema implements InitializingBean {

	private final TenancyProperties properties;

	BillingControlSchema(TenancyProperties properties) {
		this.properties = properties;
	}

	@Override
	public void afterPropertiesSet() {
		TenancyProperties.Database db = this.properties.control();
		Flyway.configure(getClass().getClassLoader())
			.dataSource(db.jdbcUrl(), db.username(), db.password())
			.schemas("billing")
			.createSchemas(true)
			.locations("classpath:db/billing/control")
			.load()
			.migrate();
	}

}
