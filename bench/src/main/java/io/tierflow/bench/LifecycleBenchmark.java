package io.tierflow.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.tierflow.events.tenant.TenantErased;
import io.tierflow.mover.TenantArchiver;
import io.tierflow.mover.TenantEraser;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TenantTraces;
import io.tierflow.testsupport.TestKafka;
import io.tierflow.testsupport.TestPostgres;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * The tenant lifecycle at size: simulation-service in-process, a tenant of {@code --rows}
 * rows on each tier (rows in the shared tables, a schema of its own, a database of its
 * own) beside a neighbour of 10,000 rows, each erased by the service's
 * {@link TenantEraser} as an erase request would. Reports each erase's time, checks the
 * neighbour is untouched, and counts what the catalog scan of every database of the
 * service still finds of the erased tenants besides their tombstones ({@code leftovers}).
 * Export and import are not built yet; their ratios join the line when they are.
 */
final class LifecycleBenchmark {

	private static final String PREFIX = "bench_life";

	private final int rows;

	private final Map<String, String> settings;

	LifecycleBenchmark(Map<String, String> options) {
		this.rows = Bench.intOption(options, "rows", 1_000_000);
		this.settings = Bench.serviceSettings(options);
	}

	String run() throws Exception {
		Bench.say(String.format(Locale.ROOT, "lifecycle: erase a tenant of %,d rows on each tier; %d cores", this.rows,
				Runtime.getRuntime().availableProcessors()));
		PostgresServer pg = TestPostgres.get();
		Bench.say("  PostgreSQL " + pg + ", Kafka " + TestKafka.get().bootstrapServers());
		Map<Tier, Double> seconds = new LinkedHashMap<>();
		long leftovers = 0;
		double exportRatio;
		double importRatio;
		try (ConfigurableApplicationContext service = ServiceUnderBench.start(PREFIX, false, this.settings)) {
			TenantProvisioner provisioner = service.getBean(TenantProvisioner.class);
			TenantEraser eraser = service.getBean(TenantEraser.class);
			List<UUID> erased = new ArrayList<>();
			double[] ratios = archiveRoundTrip(pg, service);
			exportRatio = ratios[0];
			importRatio = ratios[1];
			for (Tier tier : Tier.values()) {
				UUID tenant = UUID.randomUUID();
				UUID neighbour = UUID.randomUUID();
				TenantPlacement placement = provisioner.provision(tenant, tier, "eu");
				TenantPlacement beside = provisioner.provision(neighbour, tier, "eu");
				long seedAt = System.nanoTime();
				seed(pg, placement, this.rows);
				seed(pg, beside, 10_000);
				Bench.say(String.format(Locale.ROOT, "  %-10s %s: seeded %,d rows in %.1f s", tier,
						placement.isolation(), this.rows, (System.nanoTime() - seedAt) / 1e9));
				String neighbourBefore = checksum(pg, beside);

				long at = System.nanoTime();
				TenantErased report = eraser.erase(tenant);
				double s = (System.nanoTime() - at) / 1e9;
				seconds.put(tier, s);
				erased.add(tenant);
				Bench.say(String.format(Locale.ROOT, "  %-10s erased in %.2f s: rows %s, store dropped %s", tier, s,
						report.rowsDeleted(), report.storeDropped()));
				if (report.rowsDeleted().getOrDefault("simulation_model", 0L) != this.rows) {
					throw new IllegalStateException("The report counts " + report.rowsDeleted() + ", not " + this.rows);
				}
				if (!checksum(pg, beside).equals(neighbourBefore)) {
					throw new IllegalStateException("The neighbour's rows changed");
				}
			}
			List<String> databases = List.of(PREFIX);
			for (UUID tenant : erased) {
				List<String> traces = TenantTraces.inDatabases(pg, tenant, databases);
				List<String> left = traces.stream().filter((t) -> !t.contains(".tierflow.tenant_erasure.")).toList();
				if (!left.isEmpty()) {
					Bench.say("  left of " + tenant + ": " + left);
				}
				leftovers += left.size();
			}
			Bench.say("  catalog scan of every " + PREFIX + "* database: " + leftovers
					+ " traces besides the tombstones");
		}
		return String.format(Locale.ROOT,
				"RESULT lifecycle rows=%d export_ratio=%.2f import_ratio=%.2f erase_shared_s=%.2f erase_schema_s=%.2f"
						+ " erase_database_s=%.2f leftovers=%d",
				this.rows, exportRatio, importRatio, seconds.get(Tier.SHARED), seconds.get(Tier.DEDICATED),
				seconds.get(Tier.ENTERPRISE), leftovers);
	}

	/**
	 * Exports a SHARED tenant of {@code --rows} rows and imports the archive as a new
	 * ENTERPRISE tenant, against the baselines measured in the same run: a raw
	 * {@code COPY ... TO} of the same rows into a file, and a raw {@code COPY ... FROM}
	 * of that file into a table of the same shape in a database of the enterprise
	 * cluster.
	 * @return the export's and the import's rows/s over the raw ones'
	 */
	private double[] archiveRoundTrip(PostgresServer pg, ConfigurableApplicationContext service) throws Exception {
		TenantProvisioner provisioner = service.getBean(TenantProvisioner.class);
		TenantArchiver archiver = service.getBean(TenantArchiver.class);
		UUID tenant = UUID.randomUUID();
		TenantPlacement placement = provisioner.provision(tenant, Tier.SHARED, "eu");
		seed(pg, placement, this.rows);
		Path raw = Files.createTempFile("tierflow-bench-copy", ".copy");
		try {
			long at = System.nanoTime();
			try (Connection con = pg.adminConnection(placement.database());
					OutputStream out = new BufferedOutputStream(Files.newOutputStream(raw), 1 << 16)) {
				new CopyManager(con.unwrap(BaseConnection.class)).copyOut("copy (select * from " + placement.schema()
						+ ".simulation_model where tenant_id = '" + tenant + "') to stdout", out);
			}
			double rawOut = (System.nanoTime() - at) / 1e9;

			at = System.nanoTime();
			UUID archive = UUID.randomUUID();
			TenantArchiver.Exported exported = archiver.export(tenant, archive, TenantArchiver.Progress.NONE);
			double exportSeconds = (System.nanoTime() - at) / 1e9;
			Bench.say(String.format(Locale.ROOT,
					"  export: %,d rows in %.2f s (%,.0f rows/s), %,d bytes; raw COPY TO a file %.2f s (%,.0f rows/s)",
					exported.rows(), exportSeconds, exported.rows() / exportSeconds, exported.bytes(), rawOut,
					this.rows / rawOut));

			String rawDatabase = PREFIX + "_raw";
			pg.dropDatabase(rawDatabase);
			pg.createDatabase(rawDatabase);
			try (Connection con = pg.adminConnection(rawDatabase); Statement st = con.createStatement()) {
				st.execute("create table simulation_model (tenant_id uuid not null, id uuid not null,"
						+ " name text not null, description text, definition jsonb not null default '{}'::jsonb,"
						+ " created_at timestamptz not null default now(), primary key (tenant_id, id))");
				st.execute("create unique index on simulation_model (tenant_id, name)");
			}
			at = System.nanoTime();
			try (Connection con = pg.adminConnection(rawDatabase);
					InputStream in = new BufferedInputStream(Files.newInputStream(raw), 1 << 16)) {
				new CopyManager(con.unwrap(BaseConnection.class)).copyIn("copy simulation_model from stdin", in);
			}
			double rawIn = (System.nanoTime() - at) / 1e9;
			pg.dropDatabase(rawDatabase);

			at = System.nanoTime();
			TenantArchiver.Imported imported = archiver.importPart(UUID.randomUUID(), archive, Tier.ENTERPRISE, "eu");
			double importSeconds = (System.nanoTime() - at) / 1e9;
			Bench.say(String.format(Locale.ROOT,
					"  import as ENTERPRISE (own database made, every table verified): %,d rows in %.2f s"
							+ " (%,.0f rows/s); raw COPY FROM the file %.2f s (%,.0f rows/s)",
					imported.rows(), importSeconds, imported.rows() / importSeconds, rawIn, this.rows / rawIn));
			eraser(service).erase(imported.placement().tenantId());
			eraser(service).erase(tenant);
			return new double[] { rawOut / exportSeconds, rawIn / importSeconds };
		}
		finally {
			Files.deleteIfExists(raw);
		}
	}

	private static TenantEraser eraser(ConfigurableApplicationContext service) {
		return service.getBean(TenantEraser.class);
	}

	private static void seed(PostgresServer pg, TenantPlacement p, int rows) throws Exception {
		try (Connection con = pg.adminConnection(p.database()); Statement st = con.createStatement()) {
			String table = p.schema() + ".simulation_model";
			st.execute("insert into " + table + " (tenant_id, id, name, description, definition)" + " select '"
					+ p.tenantId() + "', gen_random_uuid(), 'model ' || n, 'seeded model ' || n,"
					+ " jsonb_build_object('paths', n, 'horizon', 'P1Y') from generate_series(1, " + rows + ") n");
			st.execute("analyze " + table);
		}
	}

	private static String checksum(PostgresServer pg, TenantPlacement p) throws Exception {
		try (Connection con = pg.adminConnection(p.database());
				Statement st = con.createStatement();
				var rs = st.executeQuery("select count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)"
						+ "::bigint::numeric), 0) from " + p.schema() + ".simulation_model t where tenant_id = '"
						+ p.tenantId() + "'")) {
			rs.next();
			return rs.getLong(1) + "/" + rs.getBigDecimal(2);
		}
	}

}
