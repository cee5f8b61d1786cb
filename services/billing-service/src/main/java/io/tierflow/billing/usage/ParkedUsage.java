package io.tierflow.billing.usage;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import io.tierflow.events.DomainEvent;
import io.tierflow.tenancy.TenancyAutoConfiguration;
import io.tierflow.tenancy.TenancyProperties;
import org.flywaydb.core.Flyway;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Usage events parked in the control database because their tenant has no ready placement
 * here yet. Its table lives in the control database's {@code billing} schema, migrated by
 * Flyway at start-up from {@code db/billing/control}.
 */
@Repository
class ParkedUsage implements InitializingBean {

	private final JdbcClient control;

	private final TenancyProperties properties;

	ParkedUsage(@Qualifier(TenancyAutoConfiguration.CONTROL) JdbcClient control, TenancyProperties properties) {
		this.control = control;
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

	/** Parks an event; parking it again changes nothing. */
	void park(DomainEvent event, String reason) {
		this.control
			.sql("insert into billing.parked_usage_event (tenant_id, event_id, type, source, subject, time, data,"
					+ " reason) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing")
			.params(event.tenantId(), event.id(), event.type(), event.source(), event.subject(), event.time(),
					event.data(), reason)
			.update();
	}

	/** The oldest parked events. */
	List<DomainEvent> oldest(int limit) {
		return this.control
			.sql("select event_id, type, source, tenant_id, subject, time, data from billing.parked_usage_event"
					+ " order by parked_at, tenant_id, event_id limit ?")
			.param(limit)
			.query((rs, i) -> new DomainEvent(rs.getString(1), rs.getString(2), rs.getString(3),
					rs.getObject(4, UUID.class), rs.getString(5), rs.getObject(6, OffsetDateTime.class),
					rs.getBytes(7)))
			.list();
	}

	void remove(DomainEvent event) {
		this.control.sql("delete from billing.parked_usage_event where tenant_id = ? and event_id = ?")
			.params(event.tenantId(), event.id())
			.update();
	}

}
