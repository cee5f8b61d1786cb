package io.tierflow.testsupport.architecture;

import java.util.List;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_USE_FIELD_INJECTION;
import static com.tngtech.archunit.library.GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Tierflow's architecture rules, written once and applied by every module's
 * {@code ArchitectureTest} to its own main classes: features stay free of cycles,
 * services do not reach into each other, tenant data goes through the tenancy core's
 * JdbcClient, and the platform libraries stay below the services and in their order
 * (tenancy, then events, then mover). Each factory takes the module's root package, such
 * as {@code io.tierflow.billing}; the module sets ({@link #tenantDataService},
 * {@link #service}, {@link #platformLibrary}) are the ones a module applies.
 */
public final class TierflowArchitecture {

	/** The services' root packages, the gateway's included. */
	static final List<String> SERVICES = List.of("io.tierflow.tenant", "io.tierflow.simulation", "io.tierflow.file",
			"io.tierflow.billing", "io.tierflow.analytics", "io.tierflow.gateway");

	/**
	 * The platform libraries' root packages, lowest first, as their poms depend on each
	 * other.
	 */
	static final List<String> PLATFORM_LAYERS = List.of("io.tierflow.tenancy", "io.tierflow.events",
			"io.tierflow.mover");

	/**
	 * Main code uses constructor injection, SLF4J and no standard streams: field
	 * injection hides a dependency from the constructor, and JUL and {@code System.out}
	 * bypass the log configuration.
	 */
	public static final ArchRule CODING_RULES = CompositeArchRule.of(NO_CLASSES_SHOULD_USE_FIELD_INJECTION)
		.and(NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING)
		.and(NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS);

	private TierflowArchitecture() {
	}

	/**
	 * The rules of a service that keeps tenant data: simulation, file, billing,
	 * analytics.
	 */
	public static ArchRule tenantDataService(String root) {
		return CompositeArchRule.of(featuresAreFreeOfCycles(root))
			.and(doesNotDependOnOtherServices(root))
			.and(tenantDataGoesThroughTheJdbcClientOnly(root))
			.and(CODING_RULES);
	}

	/** The rules of the control plane and the edge: tenant-service and the gateway. */
	public static ArchRule service(String root) {
		return CompositeArchRule.of(featuresAreFreeOfCycles(root))
			.and(doesNotDependOnOtherServices(root))
			.and(CODING_RULES);
	}

	/**
	 * The rules of a platform library: tierflow-tenancy, tierflow-events, tierflow-mover.
	 */
	public static ArchRule platformLibrary(String root) {
		CompositeArchRule rules = CompositeArchRule.of(featuresAreFreeOfCycles(root))
			.and(doesNotDependOnServices(root));
		if (!higherPlatformLayers(root).isEmpty()) {
			rules = rules.and(doesNotDependOnHigherPlatformLayers(root));
		}
		return rules.and(CODING_RULES);
	}

	/**
	 * The features, the packages right under the root, depend on each other in one
	 * direction only. A module without sub-packages has nothing to check.
	 */
	public static ArchRule featuresAreFreeOfCycles(String root) {
		return slices().matching(root + ".(*)..").should().beFreeOfCycles().allowEmptyShould(true);
	}

	/**
	 * Tenant data is reached only through the tenancy core's JdbcClient, never around its
	 * routing.
	 */
	public static ArchRule tenantDataGoesThroughTheJdbcClientOnly(String root) {
		return noClasses().that()
			.resideInAPackage(root + "..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.tierflow.tenancy.routing..")
			.orShould()
			.dependOnClassesThat()
			.areAssignableTo(DataSource.class)
			.because("repository code reaches tenant data through the tenant-routed JdbcClient only");
	}

	/**
	 * A service talks to another one through its API or events, never through its
	 * classes.
	 */
	public static ArchRule doesNotDependOnOtherServices(String root) {
		return doesNotDependOn(root, SERVICES.stream().filter((service) -> !service.equals(root)),
				"services talk to each other through their APIs and events only");
	}

	/** The platform libraries sit below every service. */
	public static ArchRule doesNotDependOnServices(String root) {
		return doesNotDependOn(root, SERVICES.stream(),
				"the platform libraries serve every service and know none of them");
	}

	/**
	 * A platform library does not depend on the ones above it (tierflow-tenancy on
	 * neither tierflow-events nor tierflow-mover, tierflow-events not on tierflow-mover).
	 */
	public static ArchRule doesNotDependOnHigherPlatformLayers(String root) {
		return doesNotDependOn(root, higherPlatformLayers(root).stream(),
				"the platform libraries depend on each other in one direction: tenancy, events, mover");
	}

	private static List<String> higherPlatformLayers(String root) {
		int layer = PLATFORM_LAYERS.indexOf(root);
		if (layer < 0) {
			throw new IllegalArgumentException(root + " is not one of the platform layers " + PLATFORM_LAYERS);
		}
		return PLATFORM_LAYERS.subList(layer + 1, PLATFORM_LAYERS.size());
	}

	private static ArchRule doesNotDependOn(String root, Stream<String> otherRoots, String reason) {
		return noClasses().that()
			.resideInAPackage(root + "..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(otherRoots.map((other) -> other + "..").toArray(String[]::new))
			.because(reason);
	}

}
