package io.tierflow.tenancy;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.tierflow.tenancy.placement.ClusterRole;
import io.tierflow.tenancy.placement.IsolationMode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of a tenant-data service's tenancy: its control database, the PostgreSQL
 * clusters it may place tenants on, the application role request traffic uses, and pool
 * and migration bounds.
 *
 * @param service short service name ({@code billing}); prefixes database and role names
 * @param control the service's own control database (placements, control outbox)
 * @param appRole the role request traffic runs as: owns no table, has no BYPASSRLS
 * @param dedicatedIsolation isolation for the DEDICATED tier (SCHEMA or DATABASE)
 * @param clusters the clusters placements are chosen from
 * @param pools connection pool bounds
 * @param migration bounds of the migration pass over all placements
 * @param placementCacheTtl how long a routed placement is trusted before it is re-read;
 * changes reach every instance at once while it listens to the control database
 * ({@code PlacementChanges}), so this bounds staleness only while that feed is down
 */
@Validated
@ConfigurationProperties("tierflow.tenancy")
public record TenancyProperties(
		@NotBlank @jakarta.validation.constraints.Pattern(regexp = "[a-z][a-z0-9]{0,19}",
				message = "must be 1-20 lower-case letters or digits") String service,
		@Valid @NotNull Database control, @Valid @NotNull AppRole appRole,
		@DefaultValue("SCHEMA") IsolationMode dedicatedIsolation, @Valid @NotEmpty List<Cluster> clusters,
		@Valid @DefaultValue Pools pools, @Valid @DefaultValue Migration migration,
		@DefaultValue("30s") Duration placementCacheTtl) {

	private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

	public TenancyProperties {
		if (dedicatedIsolation == IsolationMode.ROW) {
			throw new IllegalArgumentException("tierflow.tenancy.dedicated-isolation must be SCHEMA or DATABASE");
		}
		if (appRole != null && !IDENTIFIER.matcher(appRole.username()).matches()) {
			throw new IllegalArgumentException(
					"tierflow.tenancy.app-role.username must be a plain lower-case identifier");
		}
	}

	/** JDBC coordinates of a database the service connects to with owner rights. */
	public record Database(@NotBlank String jdbcUrl, @NotBlank String username, String password) {
	}

	/**
	 * The login role for request traffic; created on every cluster at start-up if
	 * missing.
	 */
	public record AppRole(@NotBlank String username, @NotBlank(
			message = "the application role needs a password (TIERFLOW_APP_PASSWORD): it has no default outside the dev profile") String password) {
	}

	/**
	 * A PostgreSQL cluster tenants can be placed on. {@code jdbcUrl} names the database
	 * that holds shared tables and per-tenant schemas; per-tenant databases are created
	 * beside it.
	 *
	 * @param name unique cluster name, stored in placements
	 * @param jdbcUrl the cluster's base database
	 * @param username owner role (creates schemas and databases, runs migrations)
	 * @param password owner password
	 * @param role which tier the cluster serves
	 * @param region data-residency region
	 * @param capacity maximum number of tenants placed on it
	 * @param pools this cluster's pool sizes, where they differ from
	 * {@code tierflow.tenancy.pools}
	 */
	public record Cluster(@NotBlank String name, @NotBlank String jdbcUrl, @NotBlank String username, String password,
			@NotNull ClusterRole role, @NotBlank String region, @Min(1) @DefaultValue("1000000") int capacity,
			@Valid @DefaultValue ClusterPools pools) {
	}

	/**
	 * One cluster's pool sizes; each left out takes the service-wide default.
	 *
	 * @param maxSize pool size of the cluster's base database (its ROW and SCHEMA
	 * traffic)
	 * @param databaseMaxSize pool size of each tenant database on the cluster (DATABASE
	 * traffic)
	 */
	public record ClusterPools(@Min(1) Integer maxSize, @Min(1) Integer databaseMaxSize) {
	}

	/**
	 * Pool size of {@code cluster}'s base database, which serves ROW and SCHEMA tenants.
	 */
	public int basePoolSize(Cluster cluster) {
		Integer size = (cluster.pools() != null) ? cluster.pools().maxSize() : null;
		return (size != null) ? size : this.pools.clusterMaxSize();
	}

	/**
	 * Pool size of each tenant database on {@code cluster}: the cluster's own, else its
	 * role's default (enterprise databases get the larger one: an enterprise tenant's
	 * traffic is all in its database, while a dedicated one is one of many small ones).
	 */
	public int databasePoolSize(Cluster cluster) {
		Integer size = (cluster.pools() != null) ? cluster.pools().databaseMaxSize() : null;
		if (size != null) {
			return size;
		}
		return (cluster.role() == ClusterRole.ENTERPRISE) ? this.pools.enterpriseDatabaseMaxSize()
				: this.pools.databaseMaxSize();
	}

	/**
	 * Pool sizes of every cluster that does not set its own ({@link ClusterPools}).
	 *
	 * @param clusterMaxSize pool size per cluster base database (ROW and SCHEMA traffic)
	 * @param databaseMaxSize pool size per tenant database on a dedicated cluster
	 * (DATABASE traffic)
	 * @param enterpriseDatabaseMaxSize pool size per tenant database on an enterprise
	 * cluster
	 * @param maxOpenDatabasePools bound on open per-database pools; least recently used
	 * are closed
	 * @param databasePoolIdle a per-database pool unused this long is closed
	 */
	public record Pools(@Min(1) @DefaultValue("10") int clusterMaxSize, @Min(1) @DefaultValue("3") int databaseMaxSize,
			@Min(1) @DefaultValue("8") int enterpriseDatabaseMaxSize,
			@Min(1) @DefaultValue("50") int maxOpenDatabasePools, @DefaultValue("5m") Duration databasePoolIdle) {
	}

	/**
	 * @param parallelism placements migrated at once
	 * @param locations service migration locations applied to every store
	 * @param lockTimeout how long a store's migration waits for a lock held by the
	 * store's own transactions before it gives up on the store for now
	 * @param lockRetries how many more times a pass tries a store that timed out, after
	 * the other stores
	 * @param onStart what an instance does at start-up with stores behind the latest
	 * version
	 * @param rollout how a rollout goes over the stores
	 * @param minServedVersion the oldest script version of a store this code still serves
	 * (like {@code 3}); unset, only stores at the latest version serve. Set it to the
	 * previous version when the new migration only adds (a nullable column, an index) and
	 * the code copes without it, so that the tenants of the stores not yet migrated keep
	 * being served while a rollout goes over them
	 */
	public record Migration(@Min(1) @DefaultValue("4") int parallelism,
			@DefaultValue("classpath:db/tenant") List<String> locations, @DefaultValue("5s") Duration lockTimeout,
			@Min(0) @DefaultValue("2") int lockRetries, @NotNull @DefaultValue("ROLLOUT") OnStart onStart,
			@Valid @DefaultValue Rollout rollout, String minServedVersion) {
	}

	/** What an instance does at start-up with the stores behind the latest version. */
	public enum OnStart {

		/**
		 * Starts a rollout (canary, then batches, halted at the failure rate) unless one
		 * for this version is open; any instance carries it out.
		 */
		ROLLOUT,

		/**
		 * Migrates every store behind at once, as {@code POST /database/migrate} does.
		 */
		ALL,

		/** Nothing: an operator starts a rollout over the admin API. */
		NONE

	}

	/**
	 * Defaults of a rollout of a new tenant migration; a rollout started over the admin
	 * API may set its own.
	 *
	 * @param canary stores of the first wave; the rollout halts there if too many fail
	 * @param batchSize stores of each later wave
	 * @param maxFailureRate share of failed stores (of those tried) above which the
	 * rollout halts, checked as each store ends once the canary is done
	 * @param poll how often an instance looks for a running rollout that nobody carries
	 * out (its instance died): the longest a rollout waits to go on after a restart
	 */
	public record Rollout(@Min(1) @jakarta.validation.constraints.Max(10_000) @DefaultValue("10") int canary,
			@Min(1) @jakarta.validation.constraints.Max(100_000) @DefaultValue("500") int batchSize,
			@jakarta.validation.constraints.DecimalMin("0") @jakarta.validation.constraints.DecimalMax("1") @DefaultValue("0.05") double maxFailureRate,
			@DefaultValue("2s") Duration poll) {
	}

}
