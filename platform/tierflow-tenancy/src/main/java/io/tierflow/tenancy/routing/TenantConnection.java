package io.tierflow.tenancy.routing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;

/**
 * The connection a tenant transaction on a shared database gets, for two savings.
 *
 * <p>
 * <b>Settings with the first query.</b> A read-only transaction's tenant settings are
 * sent with its first query instead of in a round trip of their own. The connection holds
 * them back ({@link #defer}) until it is first used; when that use is preparing a query,
 * the settings statement is prepended to it ({@code select set_config(…); select …}),
 * which the PostgreSQL driver sends in one round trip, in the same transaction, before
 * the query. Any other first use (another kind of statement, a savepoint, metadata,
 * unwrapping the driver's connection) runs the settings statement on its own first. If
 * the combined statement fails, the settings are sent again before the next statement:
 * nothing ever runs on the connection without them. The combined statement hides its
 * leading parameter (the tenant id): the caller's parameter indexes, parameter metadata
 * and results are those of its own query.
 *
 * <p>
 * <b>A plan per schema.</b> PostgreSQL keeps a prepared statement's plan with the
 * search_path it was planned under, and plans again whenever the statement runs under
 * another one. Pooled connections serve many tenant schemas, so the same statement text
 * would be planned again on nearly every switch. In SCHEMA mode the connection gives
 * every prepared statement its schema's own text (a leading comment naming the schema),
 * so the driver prepares it once per schema and PostgreSQL keeps each schema's plan.
 */
final class TenantConnection implements InvocationHandler {

	static final String SETTINGS = "select set_config('tierflow.tenant_id', ?, true), set_config('search_path', ?, true)";

	/**
	 * The tenant id; the search path is a literal, so that each path has its own text.
	 */
	private static final int HIDDEN = 1;

	/** Connection methods that neither run SQL nor expose the driver's connection. */
	private static final Set<String> PASSIVE = Set.of("commit", "rollback", "close", "isClosed", "setAutoCommit",
			"getAutoCommit", "setReadOnly", "isReadOnly", "setTransactionIsolation", "getTransactionIsolation",
			"getWarnings", "clearWarnings", "isValid", "getHoldability", "setHoldability", "getNetworkTimeout",
			"setNetworkTimeout", "abort", "isWrapperFor", "toString", "hashCode", "equals");

	private final Connection target;

	private final String tenant;

	private final String searchPath;

	private final boolean planPerSchema;

	private String statementTag;

	private boolean pending;

	private TenantConnection(Connection target, String tenant, String searchPath, boolean planPerSchema) {
		this.target = target;
		this.tenant = tenant;
		this.searchPath = searchPath;
		this.planPerSchema = planPerSchema;
	}

	/**
	 * A connection of {@code tenant}, whose transactions search {@code searchPath}. It
	 * holds nothing back until {@link #defer(Connection)} is called on it.
	 * @param planPerSchema whether each schema gets its own statement text (SCHEMA mode)
	 */
	static Connection wrap(Connection target, String tenant, String searchPath, boolean planPerSchema) {
		return CONNECTION.create(new TenantConnection(target, tenant, searchPath, planPerSchema));
	}

	private static final JdbcProxy<Connection> CONNECTION = JdbcProxy.of(Connection.class);

	private static final JdbcProxy<PreparedStatement> PREPARED_STATEMENT = JdbcProxy.of(PreparedStatement.class);

	private static final JdbcProxy<ParameterMetaData> PARAMETER_METADATA = JdbcProxy.of(ParameterMetaData.class);

	/** Leads every prepared statement's text: the schema in a comment, or nothing. */
	private String statementTag() {
		if (!this.planPerSchema) {
			return "";
		}
		if (this.statementTag == null) {
			StringBuilder tag = new StringBuilder(this.searchPath.length() + 7).append("/* ");
			for (int i = 0; i < this.searchPath.length(); i++) {
				char c = this.searchPath.charAt(i);
				tag.append((c < 128 && Character.isLetterOrDigit(c)) ? c : '_');
			}
			this.statementTag = tag.append(" */ ").toString();
		}
		return this.statementTag;
	}

	/** The settings statement sent with a query; the search path a literal of its own. */
	private String combinedSettings() {
		return "select set_config('tierflow.tenant_id', ?, true), set_config('search_path', '"
				+ this.searchPath.replace("'", "''") + "', true); ";
	}

	/**
	 * Holds the settings back until the connection's first statement, if {@code con} is a
	 * connection of {@link #wrap}.
	 * @return whether it is (otherwise the caller must send the settings itself)
	 */
	static boolean defer(Connection con) {
		if (Proxy.isProxyClass(con.getClass())
				&& Proxy.getInvocationHandler(con) instanceof TenantConnection settings) {
			settings.pending = true;
			return true;
		}
		return false;
	}

	@Override
	public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
		String name = method.getName();
		boolean prepare = name.equals("prepareStatement");
		boolean query = prepare && args.length == 1 && isQuery((String) args[0]);
		if (prepare) {
			args[0] = statementTag() + args[0];
		}
		if (this.pending && !PASSIVE.contains(name)) {
			if (query) {
				this.pending = false;
				PreparedStatement combined = this.target.prepareStatement(combinedSettings() + args[0]);
				return PREPARED_STATEMENT.create(new CombinedStatement(combined, (Connection) proxy));
			}
			send();
		}
		switch (name) {
			case "equals":
				return proxy == args[0];
			case "hashCode":
				return System.identityHashCode(proxy);
			case "isWrapperFor":
				if (((Class<?>) args[0]).isInstance(proxy)) {
					return true;
				}
				break;
			default:
		}
		return JdbcProxy.call(this.target, method, args);
	}

	private void send() throws SQLException {
		try (PreparedStatement ps = this.target.prepareStatement(SETTINGS)) {
			ps.setString(1, this.tenant);
			ps.setString(2, this.searchPath);
			ps.executeQuery().close();
		}
		this.pending = false;
	}

	/** Queries only: a read-only transaction's first statement practically always is. */
	private static boolean isQuery(String sql) {
		int i = 0;
		while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
			i++;
		}
		return sql.regionMatches(true, i, "select", 0, 6) || sql.regionMatches(true, i, "with", 0, 4);
	}

	/**
	 * The settings statement and the caller's query, seen as the caller's query alone.
	 */
	private final class CombinedStatement implements InvocationHandler {

		private final PreparedStatement target;

		private final Connection connection;

		CombinedStatement(PreparedStatement target, Connection connection) throws SQLException {
			this.target = target;
			this.connection = connection;
			setSettings();
		}

		private void setSettings() throws SQLException {
			this.target.setString(1, TenantConnection.this.tenant);
		}

		@Override
		public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
			String name = method.getName();
			Class<?>[] types = method.getParameterTypes();
			if (name.startsWith("set") && types.length >= 2 && types[0] == int.class) {
				args[0] = (Integer) args[0] + HIDDEN;
				return JdbcProxy.call(this.target, method, args);
			}
			if (types.length == 0) {
				switch (name) {
					case "executeQuery":
						return execute() ? this.target.getResultSet() : noResultSet();
					case "execute":
						return execute();
					case "executeUpdate":
						execute();
						return this.target.getUpdateCount();
					case "executeLargeUpdate":
						execute();
						return this.target.getLargeUpdateCount();
					case "clearParameters":
						this.target.clearParameters();
						setSettings();
						return null;
					case "getParameterMetaData":
						ParameterMetaData metadata = this.target.getParameterMetaData();
						return PARAMETER_METADATA.create((p, m, a) -> {
							if (m.getName().equals("getParameterCount")) {
								return metadata.getParameterCount() - HIDDEN;
							}
							if (m.getParameterTypes().length == 1 && m.getParameterTypes()[0] == int.class) {
								a[0] = (Integer) a[0] + HIDDEN;
							}
							return JdbcProxy.call(metadata, m, a);
						});
					case "addBatch":
					case "executeBatch":
					case "executeLargeBatch":
						throw new SQLException("The first query of a read-only tenant transaction cannot be batched");
					case "getConnection":
						return this.connection;
					default:
				}
			}
			return JdbcProxy.call(this.target, method, args);
		}

		/**
		 * Runs both statements and moves past the settings' result.
		 * @return whether the query's result is a result set
		 */
		private boolean execute() throws SQLException {
			try {
				this.target.execute();
			}
			catch (SQLException ex) {
				// The settings may not have taken (a driver savepoint rolled them back
				// with
				// the query): send them again before anything else runs.
				TenantConnection.this.pending = true;
				throw ex;
			}
			return this.target.getMoreResults();
		}

		private ResultSet noResultSet() throws SQLException {
			throw new SQLException("No results were returned by the query.");
		}

	}

}
