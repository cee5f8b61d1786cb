package io.tierflow.tenancy.migration;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The SQL migrations every tenant store runs: Tierflow's own ({@code db/tierflow/tenant},
 * from any jar) followed by the service's. They are read from the class path once, so
 * migrating a thousand stores does not scan the class path a thousand times, and the
 * latest version is known without opening Flyway on any store.
 */
public class TenantMigrations implements ResourceProvider {

	/**
	 * Location of Tierflow's own tenant-store migrations, contributed by the platform
	 * jars.
	 */
	public static final String PLATFORM_LOCATION = "classpath*:db/tierflow/tenant/*.sql";

	private static final Pattern VERSIONED = Pattern.compile("V([0-9_.]+)__.*\\.sql");

	private final List<Sql> scripts;

	/**
	 * Revision of what the platform itself adds to every store (row-level security,
	 * grants, the tier-move fence). It is recorded with the migration version, so stores
	 * made by an older platform count as behind and the next migration pass brings them
	 * up to date. p3: the outbox's traceparent column (V0_2), below the services' script
	 * versions, so a store at the same script version still lacks it.
	 */
	static final String PLATFORM_REVISION = "p3";

	private final String latestVersion;

	private final MigrationVersion latestScriptVersion;

	private final List<String> versionedSqlInOrder;

	/** The oldest script version served besides the latest, or null. */
	private final MigrationVersion minServed;

	private TenantMigrations(List<Sql> scripts) {
		this(scripts, null);
	}

	private TenantMigrations(List<Sql> scripts, MigrationVersion minServed) {
		this.minServed = minServed;
		this.scripts = List.copyOf(scripts);
		this.latestScriptVersion = scripts.stream()
			.map(TenantMigrations::version)
			.filter((v) -> v != null)
			.max(Comparator.naturalOrder())
			.orElseThrow(() -> new IllegalStateException("No tenant migrations found"));
		this.latestVersion = this.latestScriptVersion.getVersion() + "+" + PLATFORM_REVISION;
		this.versionedSqlInOrder = scripts.stream().anyMatch((s) -> version(s) == null) ? List.of()
				: scripts.stream()
					.sorted(Comparator.comparing(TenantMigrations::version))
					.map((s) -> s.content)
					.toList();
	}

	/**
	 * Loads the platform's migrations and those under each of the service's locations.
	 */
	public static TenantMigrations load(List<String> serviceLocations, ClassLoader classLoader) {
		PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(classLoader);
		Map<String, Sql> byName = new TreeMap<>();
		List<String> patterns = new ArrayList<>();
		patterns.add(PLATFORM_LOCATION);
		for (String location : serviceLocations) {
			String path = location.replaceFirst("^classpath\\*?:", "").replaceAll("/+$", "");
			patterns.add("classpath*:" + path + "/*.sql");
		}
		try {
			for (String pattern : patterns) {
				for (Resource resource : resolver.getResources(pattern)) {
					String name = resource.getFilename();
					String content = resource.getContentAsString(StandardCharsets.UTF_8);
					Sql previous = byName.put(name, new Sql(name, content));
					if (previous != null && !previous.content.equals(content)) {
						throw new IllegalStateException("Two different tenant migrations are named " + name);
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new TenantMigrations(new ArrayList<>(byName.values()));
	}

	/**
	 * These migrations, with stores from script version {@code version} up served too
	 * ({@code tierflow.tenancy.migration.min-served-version}).
	 * @throws IllegalArgumentException if no script has that version, or it is above the
	 * latest
	 */
	public TenantMigrations servingFrom(String version) {
		if (version == null || version.isBlank()) {
			return new TenantMigrations(this.scripts, null);
		}
		if (!hasScriptVersion(version)
				|| MigrationVersion.fromVersion(version).compareTo(this.latestScriptVersion) > 0) {
			throw new IllegalArgumentException("tierflow.tenancy.migration.min-served-version " + version
					+ " is not the version of one of the tenant migrations");
		}
		return new TenantMigrations(this.scripts, MigrationVersion.fromVersion(version));
	}

	/**
	 * Whether the code serves a store at {@code storeVersion}: the latest, or with
	 * {@link #servingFrom} any from that script version up made by this platform
	 * revision.
	 */
	public boolean serves(String storeVersion) {
		if (this.latestVersion.equals(storeVersion)) {
			return true;
		}
		if (this.minServed == null || storeVersion == null || !storeVersion.endsWith("+" + PLATFORM_REVISION)) {
			return false;
		}
		String script = PlacementMigrator.scriptVersion(storeVersion);
		return hasScriptVersion(script) && MigrationVersion.fromVersion(script).compareTo(this.minServed) >= 0;
	}

	/**
	 * The version a store has once every migration ran and the platform secured it, like
	 * {@code 1.2+p2}.
	 */
	public String latestVersion() {
		return this.latestVersion;
	}

	/** Whether one of the versioned scripts has this version ({@code 2}, {@code 0.1}). */
	boolean hasScriptVersion(String version) {
		MigrationVersion wanted = MigrationVersion.fromVersion(version);
		return this.scripts.stream().map(TenantMigrations::version).anyMatch(wanted::equals);
	}

	/** The highest version among the scripts, as Flyway records it. */
	MigrationVersion latestScriptVersion() {
		return this.latestScriptVersion;
	}

	/**
	 * The versioned scripts' SQL in the order Flyway applies them, or empty if there are
	 * scripts Flyway would keep running after a baseline (repeatable ones): a new store
	 * can then only be made by Flyway itself.
	 */
	List<String> versionedSqlInOrder() {
		return this.versionedSqlInOrder;
	}

	public List<String> scriptNames() {
		return this.scripts.stream().map(Sql::getFilename).toList();
	}

	@Override
	public LoadableResource getResource(String name) {
		return this.scripts.stream().filter((s) -> s.name.equals(name)).findFirst().orElse(null);
	}

	@Override
	public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
		List<LoadableResource> matching = new ArrayList<>();
		for (Sql script : this.scripts) {
			if (script.name.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(script.name::endsWith)) {
				matching.add(script);
			}
		}
		return matching;
	}

	private static MigrationVersion version(Sql script) {
		Matcher m = VERSIONED.matcher(script.name);
		return m.matches() ? MigrationVersion.fromVersion(m.group(1).replace('_', '.')) : null;
	}

	private static final class Sql extends LoadableResource {

		private final String name;

		private final String content;

		Sql(String name, String content) {
			this.name = name;
			this.content = content;
		}

		@Override
		public Reader read() {
			return new StringReader(this.content);
		}

		@Override
		public String getAbsolutePath() {
			return this.name;
		}

		@Override
		public String getAbsolutePathOnDisk() {
			return null;
		}

		@Override
		public String getFilename() {
			return this.name;
		}

		@Override
		public String getRelativePath() {
			return this.name;
		}

	}

}
