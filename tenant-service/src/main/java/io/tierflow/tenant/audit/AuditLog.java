package io.tierflow.tenant.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The audit_record rows and their chains' heads. */
@Repository
class AuditLog {

	private static final String COLUMNS = "id, tenant_id, seq, occurred_at, action, target_type, target_id,"
			+ " actor_subject, actor_tenant_id, actor_client_id, outcome, status, request_id, prev_hash, hash";

	/** Rows a verification reads per round trip: its memory stays flat. */
	private static final int VERIFY_FETCH = 1000;

	private final JdbcClient jdbc;

	private final JdbcClient streaming;

	AuditLog(JdbcClient jdbc, DataSource dataSource) {
		this.jdbc = jdbc;
		JdbcTemplate template = new JdbcTemplate(dataSource);
		template.setFetchSize(VERIFY_FETCH);
		this.streaming = JdbcClient.create(template);
	}

	/** A chain's last position and hash. */
	record Head(long seq, byte[] hash) {
	}

	/**
	 * The chain's head, locked until the caller's transaction ends; a new chain gets one
	 * at position 0.
	 */
	Head lockHead(UUID chain) {
		return findHeadForUpdate(chain).orElseGet(() -> {
			this.jdbc
				.sql("insert into audit_chain (chain_id, last_seq, last_hash) values (?, 0, ?)"
						+ " on conflict (chain_id) do nothing")
				.params(chain, ChainHash.GENESIS)
				.update();
			return findHeadForUpdate(chain).orElseThrow();
		});
	}

	void append(AuditRecord r, byte[] previous, byte[] hash) {
		this.jdbc
			.sql("insert into audit_record (" + COLUMNS + ", chain_id)"
					+ " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			.params(r.id(), r.tenantId(), r.seq(), r.occurredAt(), r.action(), r.target().type(), r.target().id(),
					r.actor().subject(), r.actor().tenantId(), r.actor().clientId(), r.outcome().name(), r.status(),
					r.requestId(), previous, hash, r.chainId())
			.update();
		this.jdbc.sql("update audit_chain set last_seq = ?, last_hash = ? where chain_id = ?")
			.params(r.seq(), hash, r.chainId())
			.update();
	}

	/** Newest first, up to {@code limit} records older than {@code cursor}. */
	List<AuditRecord> page(AuditQuery query, int limit) {
		StringBuilder where = new StringBuilder(" where true");
		List<Object> params = new ArrayList<>();
		if (query.tenantId() != null) {
			where.append(" and chain_id = ?");
			params.add(query.tenantId());
		}
		if (query.action() != null) {
			where.append(" and action = ?");
			params.add(query.action());
		}
		if (query.subject() != null) {
			where.append(" and actor_subject = ?");
			params.add(query.subject());
		}
		if (query.from() != null) {
			where.append(" and occurred_at >= ?");
			params.add(query.from());
		}
		if (query.to() != null) {
			where.append(" and occurred_at < ?");
			params.add(query.to());
		}
		if (query.cursor() != null) {
			where.append(" and id < ?");
			params.add(query.cursor());
		}
		params.add(limit);
		return this.jdbc.sql("select " + COLUMNS + " from audit_record" + where + " order by id desc limit ?")
			.params(params)
			.query(AuditLog::record)
			.list();
	}

	/** The heads of every chain, or of one. */
	Map<UUID, Head> heads(UUID chain) {
		Map<UUID, Head> heads = new HashMap<>();
		this.jdbc.sql("select chain_id, last_seq, last_hash from audit_chain where ?::uuid is null or chain_id = ?")
			.params(chain, chain)
			.query((rs) -> {
				heads.put(rs.getObject(1, UUID.class), new Head(rs.getLong(2), rs.getBytes(3)));
			});
		return heads;
	}

	/**
	 * Every record of every chain, or of one, chain after chain in their order; must run
	 * in a transaction (PostgreSQL reads with a cursor only then).
	 */
	void forEachInChainOrder(UUID chain, Consumer<Stored> action) {
		this.streaming
			.sql("select " + COLUMNS + " from audit_record where ?::uuid is null or chain_id = ?"
					+ " order by chain_id, seq")
			.params(chain, chain)
			.query((rs) -> {
				action.accept(new Stored(record(rs, 0), rs.getBytes(14), rs.getBytes(15)));
			});
	}

	/** The tenant's records, which stay when it is erased. */
	long count(UUID tenantId) {
		return this.jdbc.sql("select count(*) from audit_record where chain_id = ?")
			.param(tenantId)
			.query(Long.class)
			.single();
	}

	/** A record with its hashes as stored. */
	record Stored(AuditRecord record, byte[] previous, byte[] hash) {
	}

	private java.util.Optional<Head> findHeadForUpdate(UUID chain) {
		return this.jdbc.sql("select last_seq, last_hash from audit_chain where chain_id = ? for update")
			.param(chain)
			.query((rs, i) -> new Head(rs.getLong(1), rs.getBytes(2)))
			.optional();
	}

	private static AuditRecord record(ResultSet rs, int i) throws SQLException {
		Integer status = rs.getObject(12, Integer.class);
		return new AuditRecord(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getLong(3),
				rs.getObject(4, OffsetDateTime.class), rs.getString(5),
				new AuditTarget(rs.getString(6), rs.getString(7)),
				new Actor(rs.getString(8), rs.getObject(9, UUID.class), rs.getString(10)),
				Outcome.valueOf(rs.getString(11)), status, rs.getString(13), ChainHash.HEX.formatHex(rs.getBytes(14)),
				ChainHash.HEX.formatHex(rs.getBytes(15)));
	}

}
