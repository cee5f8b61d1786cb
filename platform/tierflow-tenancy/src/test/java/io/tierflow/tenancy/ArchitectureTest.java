package io.tierflow.tenancy;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchIgnore;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import io.tierflow.testsupport.architecture.TierflowArchitecture;

/**
 * The Tierflow architecture rules for a platform library, shared by every module. The
 * tenancy core's features are not yet free of cycles, so that rule is kept apart and
 * ignored, to show in every run until they are untangled.
 */
@AnalyzeClasses(packages = "io.tierflow.tenancy", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

	@ArchTest
	static final ArchRule tierflowArchitecture = CompositeArchRule
		.of(TierflowArchitecture.doesNotDependOnServices("io.tierflow.tenancy"))
		.and(TierflowArchitecture.doesNotDependOnHigherPlatformLayers("io.tierflow.tenancy"))
		.and(TierflowArchitecture.CODING_RULES);

	@ArchTest
	@ArchIgnore(reason = "placement, routing and migration depend on each other (TenantProvisioner ->"
			+ " PlacementMigrator -> PlacementPools, PlacementDirectory -> TenantMigrations), and so do security and web"
			+ " (TierflowSecurityAutoConfiguration -> TenantResolutionFilter -> TierflowSecurityProperties)")
	static final ArchRule featuresAreFreeOfCycles = TierflowArchitecture.featuresAreFreeOfCycles("io.tierflow.tenancy");

}
