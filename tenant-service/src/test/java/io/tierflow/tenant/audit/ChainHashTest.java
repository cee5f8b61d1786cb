package io.tierflow.tenant.audit;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChainHashTest {

	private static final UUID TENANT = UUID.fromString("0193a0b0-0000-7000-8000-000000000001");

	private static final AuditRecord RECORD = new AuditRecord(UUID.fromString("0193a0b0-0000-7000-8000-0000000000aa"),
			TENANT, 1, OffsetDateTime.parse("2026-12-06T10:15:30.123456Z"), "tenant.suspend",
			AuditTarget.tenant(TENANT), new Actor("operator", null, null), Outcome.SUCCEEDED, null, "req-1", null,
			null);

	@Test
	void canonicalContentIsAFixedJsonArrayOfTheFields() {
		assertThat(new String(ChainHash.canonical(RECORD), StandardCharsets.UTF_8))
			.isEqualTo("[\"tierflow.audit.v1\",\"0193a0b0-0000-7000-8000-0000000000aa\","
					+ "\"0193a0b0-0000-7000-8000-000000000001\",1,\"0193a0b0-0000-7000-8000-000000000001\","
					+ "\"2026-12-06T10:15:30.123456Z\",\"tenant.suspend\",\"tenant\","
					+ "\"0193a0b0-0000-7000-8000-000000000001\",\"operator\",null,null,\"SUCCEEDED\",null,\"req-1\"]");
	}

	@Test
	void theHashDependsOnThePreviousHashAndEveryField() {
		byte[] hash = ChainHash.hash(ChainHash.GENESIS, RECORD);
		assertThat(hash).hasSize(32).isEqualTo(ChainHash.hash(ChainHash.GENESIS, RECORD));
		byte[] other = new byte[32];
		other[31] = 1;
		assertThat(ChainHash.hash(other, RECORD)).isNotEqualTo(hash);
		AuditRecord changed = new AuditRecord(RECORD.id(), RECORD.tenantId(), 1, RECORD.occurredAt(), RECORD.action(),
				RECORD.target(), new Actor("operator2", null, null), RECORD.outcome(), null, "req-1", null, null);
		assertThat(ChainHash.hash(ChainHash.GENESIS, changed)).isNotEqualTo(hash);
	}

	@Test
	void platformActionsChainUnderTheNilUuid() {
		assertThat(ChainHash.chainOf(null)).isEqualTo(new UUID(0, 0));
		assertThat(ChainHash.chainOf(TENANT)).isEqualTo(TENANT);
	}

}
