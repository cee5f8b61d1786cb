package io.tierflow.billing.usage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tierflow.billing.control.BillingControlSchema;
import io.tierflow.events.DomainEvent;
import io.tierflow.tenancy.TenancyAutoConfiguration;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Usage events parked in the control database because their tenant has no ready placement
 * here yet. Its table lives in the control database's {@code billing} schema
 * ({@link BillingControlSchema}). How many wait is the gauge {@value #METER}.
 */
@Repository
class ParkedUsage implements MeterBinder {

	static final String METER = "tierflow.events.parked";

	private final JdbcClient control;

	/**
	 * @param schema taken so that the table is migrated before it is used
	 */
	ParkedUsage(@Qualifier(TenancyAutoConfiguration.CONTROL) JdbcClient control, BillingControlSchema schema) {
		this.control = control;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder(METER, this, ParkedUsage::parked)
			.description("Events parked until their tenant is ready here")
			.tag("consumer", "billing.usage")
			.strongReference(true)
			.register(registry);
	}

	/**
	 * How many events are parked, of every tenant; NaN while the database does not
	 * answer.
	 */
	private double parked() {
		try {
			return this.control.sql("select count(*) from billing.parked_usage_event").query(Long.class).single();
		}
		catch (RuntimeException ex) {
			return Double.NaN;
		}
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

	/** Tenants with parked events, the one whose oldest event waits longest first. */
	List<UUID> tenants(int limit) {
		return this.control.sql(
				"select tenant_id from billing.parked_usage_event group by tenant_id order by min(parked_at), tenant_id"
						+ " limit ?")
			.param(limit)
			.query(UUID.class)
			.list();
	}

	/** The tenant's oldest parked events. */
	List<DomainEvent> oldest(UUID tenant, int limit) {
		return this.control
			.sql("select event_id, type, source, tenant_id, subject, time, data from billing.parked_usage_event"
					+ " where tenant_id = ? order by parked_at, event_id limit ?")
			.params(tenant, limit)
			.query(ParkedUsage::event)
			.list();
	}

	/** How many events of the tenant are parked. */
	long count(UUID tenant) {
		return this.control.sql("select count(*) from billing.parked_usage_event where tenant_id = ?")
			.param(tenant)
			.query(Long.class)
			.single();
	}

	/** The tenant's parked events, the oldest first. */
	List<DomainEvent> of(UUID tenant) {
		return this.control
			.sql("select event_id, type, source, tenant_id, subject, time, data from billing.parked_usage_event"
					+ " where tenant_id = ? order by parked_at, event_id")
			.param(tenant)
			.query(ParkedUsage::event)
			.list();
	}

	/**
	 * Removes every parked event of the tenant.
	 * @return how many were removed
	 */
	int removeAll(UUID tenant) {
		return this.control.sql("delete from billing.parked_usage_event where tenant_id = ?").param(tenant).update();
	}

	void remove(DomainEvent event) {
		this.control.sql("delete from billing.parked_usage_event where tenant_id = ? and event_id = ?")
			.params(event.tenantId(), event.id())
			.update();
	}

	private static DomainEvent event(ResultSet rs, int i) throws SQLException {
		return new DomainEvent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4, UUID.class),
				rs.getString(5), rs.getObject(6, OffsetDateTime.class), rs.getBytes(7));
	}

}
