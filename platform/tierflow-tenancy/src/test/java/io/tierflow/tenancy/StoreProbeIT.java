package io.tierflow.tenancy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.tierflow.tenancy.TenancyTestApplication.NoteRepository;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.StoreProbe;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(classes = TenancyTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
class StoreProbeIT {

	private static final String SERVICE = "probe";

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TenancyTestProperties.register(registry, SERVICE);
	}

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	NoteRepository notes;

	@Autowired
	StoreProbe probe;

	@Autowired
	PlacementRepository placements;

	@Test
	void findsTheTenantsWithMatchingRowsInEveryModeAndNoOthers() {
		String wanted = "wanted " + UUID.randomUUID();
		List<UUID> with = new ArrayList<>();
		List<UUID> without = new ArrayList<>();
		for (Tier tier : Tier.values()) {
			UUID yes = provision(tier);
			UUID no = provision(tier);
			TenantContext.run(yes, () -> this.notes.add(wanted));
			TenantContext.run(no, () -> this.notes.add("something else"));
			with.add(yes);
			without.add(no);
		}

		Set<UUID> found = this.probe.tenantsWith("notes", "body = '" + wanted + "'");

		assertThat(found).containsAll(with).doesNotContainAnyElementsOf(without);
		assertThat(this.probe.tenantsWith("notes", null)).containsAll(with).containsAll(without);
	}

	@Test
	void probesMoreTenantSchemasThanOneStatementHolds() {
		String wanted = "wanted " + UUID.randomUUID();
		List<UUID> tenants = new ArrayList<>();
		for (int i = 0; i <= StoreProbe.CHUNK; i++) {
			tenants.add(provision(Tier.DEDICATED));
		}
		// The first schema of the first chunk, and the one in a chunk of its own.
		UUID first = tenants.get(0);
		UUID last = tenants.get(StoreProbe.CHUNK);
		TenantContext.run(first, () -> this.notes.add(wanted));
		TenantContext.run(last, () -> this.notes.add(wanted));

		Set<UUID> found = this.probe.tenantsWith("notes", "body = '" + wanted + "'");

		assertThat(found).contains(first, last).doesNotContainAnyElementsOf(tenants.subList(1, StoreProbe.CHUNK));
	}

	@Test
	void answersForTenantsPlacedThereNowOnlyAndNotForSuspendedOnes() throws Exception {
		String wanted = "wanted " + UUID.randomUUID();
		UUID suspended = provision(Tier.SHARED);
		TenantContext.run(suspended, () -> this.notes.add(wanted));
		this.placements.setSuspended(suspended, true);
		// Rows of a tenant that is not placed in this store (left by a move, say).
		UUID elsewhere = UUID.randomUUID();
		try (Connection con = TestPostgres.get().adminConnection(SERVICE + "_shared");
				PreparedStatement ps = con
					.prepareStatement("insert into shared.notes (tenant_id, id, body) values (?, ?, ?)")) {
			ps.setObject(1, elsewhere);
			ps.setObject(2, UUID.randomUUID());
			ps.setString(3, wanted);
			ps.executeUpdate();
		}

		assertThat(this.probe.tenantsWith("notes", "body = '" + wanted + "'")).doesNotContain(suspended, elsewhere);
	}

	@Test
	void answersWithEveryTenantWhereItCannotTell() {
		UUID shared = provision(Tier.SHARED);
		UUID dedicated = provision(Tier.DEDICATED);
		UUID enterprise = provision(Tier.ENTERPRISE);

		assertThat(this.probe.tenantsWith("no_such_table", null)).contains(shared, dedicated, enterprise);
	}

	private UUID provision(Tier tier) {
		UUID tenant = UUID.randomUUID();
		TenantPlacement placement = this.provisioner.provision(tenant, tier, "eu");
		assertThat(placement.state()).as(String.valueOf(placement.error())).isEqualTo(PlacementState.READY);
		return tenant;
	}

}
