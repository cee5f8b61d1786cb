package io.tierflow.billing.invoice;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Final invoices of the current tenant: inserted once, never updated. */
@Repository
class InvoiceRepository {

	private static final TypeReference<List<String>> IDS = new TypeReference<>() {
	};

	private final JdbcClient jdbc;

	private final JsonMapper json = JsonMapper.builder().build();

	InvoiceRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(Invoice invoice) {
		UUID tenant = TenantContext.require();
		this.jdbc
			.sql("insert into invoice (tenant_id, id, period, currency, total, finalized_at) values (?, ?, ?, ?, ?, ?)")
			.params(tenant, invoice.id(), YearMonth.parse(invoice.period()).atDay(1), invoice.currency(),
					invoice.total(), invoice.finalizedAt())
			.update();
		int n = 0;
		for (InvoiceLine line : invoice.lines()) {
			this.jdbc
				.sql("insert into invoice_line (tenant_id, invoice_id, line_no, kind, description, quantity, unit,"
						+ " unit_price, amount, event_ids, note) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				.params(tenant, invoice.id(), ++n, line.kind(), line.description(), line.quantity(), line.unit(),
						line.unitPrice(), line.amount(), this.json.writeValueAsString(line.eventIds()), line.note())
				.update();
		}
	}

	Optional<Invoice> find(UUID id) {
		List<InvoiceLine> lines = this.jdbc
			.sql("select kind, description, quantity, unit, unit_price, amount, event_ids, note from invoice_line"
					+ " where invoice_id = ? order by line_no")
			.param(id)
			.query((rs, i) -> new InvoiceLine(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getString(4),
					rs.getBigDecimal(5), rs.getBigDecimal(6), this.json.readValue(rs.getString(7), IDS),
					rs.getString(8)))
			.list();
		return this.jdbc.sql("select id, period, currency, total, finalized_at from invoice where id = ?")
			.param(id)
			.query((rs, i) -> new Invoice(rs.getObject(1, UUID.class),
					YearMonth.from(rs.getObject(2, LocalDate.class)).toString(), Invoice.FINALIZED, rs.getString(3),
					rs.getBigDecimal(4), rs.getObject(5, OffsetDateTime.class), lines))
			.optional();
	}

	/** Every final invoice, the earliest month first. */
	List<Invoice> all() {
		return this.jdbc.sql("select id from invoice order by period")
			.query(UUID.class)
			.list()
			.stream()
			.map((id) -> find(id).orElseThrow())
			.toList();
	}

	Optional<BigDecimal> total(UUID id) {
		return this.jdbc.sql("select total from invoice where id = ?").param(id).query(BigDecimal.class).optional();
	}

}
