package io.tierflow.bench;

import java.io.Closeable;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tierflow.simulation.model.SimulationModel;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.web.NotFoundException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The routing benchmark's baseline, added to the booted simulation-service: the same
 * model query as {@code GET /api/v1/models/{id}}, with an explicit {@code tenant_id}
 * filter, on plain HikariCP pools (owner credentials) pointing at the same tables, in a
 * read-only transaction of its own transaction manager, mapped to the same JSON, behind
 * the same JWT security. No tenancy layer: no placement lookup, no per-transaction
 * settings, no row-level security.
 */
@Configuration(proxyBeanMethods = false)
class DirectModelConfiguration {

	@Bean(destroyMethod = "close")
	DirectStores directStores() {
		return new DirectStores();
	}

	/** Where each tenant's models are, for the baseline: a pool and a schema. */
	static final class DirectStores implements Closeable {

		private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();

		private final Map<UUID, Store> owner = new ConcurrentHashMap<>();

		private final Map<UUID, Store> app = new ConcurrentHashMap<>();

		/**
		 * Serves {@code tenant} from {@code schema} of the database at {@code jdbcUrl}:
		 * one pool of {@code poolSize} per database with the owner's credentials (the
		 * baseline), and one with the application role's (diagnostics: row-level security
		 * applies to it).
		 */
		void register(UUID tenant, String jdbcUrl, String schema, int poolSize, String ownerUser, String ownerPassword,
				String appUser, String appPassword) {
			this.owner.put(tenant, store(jdbcUrl, schema, poolSize, ownerUser, ownerPassword));
			this.app.put(tenant, store(jdbcUrl, schema, poolSize, appUser, appPassword));
		}

		private Store store(String jdbcUrl, String schema, int poolSize, String user, String password) {
			HikariDataSource pool = this.pools.computeIfAbsent(user + "@" + jdbcUrl, (key) -> {
				HikariConfig config = new HikariConfig();
				config.setPoolName("bench-direct-" + this.pools.size());
				config.setJdbcUrl(jdbcUrl);
				config.setUsername(user);
				config.setPassword(password);
				config.setMaximumPoolSize(poolSize);
				return new HikariDataSource(config);
			});
			TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(pool));
			tx.setReadOnly(true);
			return new Store(JdbcClient.create(pool), tx, schema);
		}

		Store get(UUID tenant, boolean asApp) {
			return (asApp ? this.app : this.owner).get(tenant);
		}

		@Override
		public void close() {
			this.pools.values().forEach(HikariDataSource::close);
		}

	}

	record Store(JdbcClient jdbc, TransactionTemplate tx, String schema) {
	}

	/** Registered as a member of this configuration. */
	@RestController
	@RequestMapping("/bench/direct")
	static class DirectModelController {

		private static final String SETTINGS = "select set_config('tierflow.tenant_id', ?, true), set_config('search_path', ?, true)";

		private final DirectStores stores;

		private final JsonMapper json;

		DirectModelController(DirectStores stores, JsonMapper json) {
			this.stores = stores;
			this.json = json;
		}

		/**
		 * @param settings also run the tenancy layer's per-transaction settings statement
		 * (diagnostics: the cost of that round trip alone)
		 * @param rls diagnostics: as the application role, with the settings statement,
		 * leaving the tenant filter to row-level security like the tenancy path does
		 */
		@GetMapping("/{tenantId}/{id}")
		SimulationModel get(@PathVariable UUID tenantId, @PathVariable UUID id,
				@RequestParam(defaultValue = "false") boolean settings,
				@RequestParam(defaultValue = "false") boolean rls) {
			// The token's tenant only, as for the tenancy path.
			if (!tenantId.equals(TenantContext.current().orElse(null))) {
				throw new ResponseStatusException(HttpStatus.FORBIDDEN);
			}
			Store store = this.stores.get(tenantId, rls);
			if (store == null) {
				throw new NotFoundException("No tenant " + tenantId);
			}
			SimulationModel model = store.tx().execute((status) -> {
				if (settings || rls) {
					store.jdbc().sql(SETTINGS).params(tenantId.toString(), store.schema()).query().singleRow();
				}
				if (rls) {
					return store.jdbc()
						.sql("select id, name, description, definition::text, created_at from simulation_model"
								+ " where id = ?")
						.param(id)
						.query(this::row)
						.optional()
						.orElse(null);
				}
				return store.jdbc()
					.sql("select id, name, description, definition::text, created_at from " + store.schema()
							+ ".simulation_model where tenant_id = ? and id = ?")
					.params(tenantId, id)
					.query(this::row)
					.optional()
					.orElse(null);
			});
			if (model == null) {
				throw new NotFoundException("No model " + id);
			}
			return model;
		}

		private SimulationModel row(ResultSet rs, int i) throws SQLException {
			return new SimulationModel(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
					this.json.readTree(rs.getString(4)), rs.getObject(5, OffsetDateTime.class));
		}

	}

}
