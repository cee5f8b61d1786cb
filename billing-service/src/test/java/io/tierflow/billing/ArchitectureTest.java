package io.tierflow.billing;

import javax.sql.DataSource;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The service's architecture as rules: features stay apart, and tenant data is reached
 * only through the tenancy core's JdbcClient, never around its routing.
 */
@AnalyzeClasses(packages = "io.tierflow.billing", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

	@ArchTest
	static final ArchRule featuresAreFreeOfCycles = slices().matching("io.tierflow.billing.(*)..")
		.should()
		.beFreeOfCycles();

	@ArchTest
	static final ArchRule tenantDataGoesThroughTheJdbcClientOnly = noClasses().that()
		.resideInAPackage("io.tierflow.billing..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("io.tierflow.tenancy.routing..")
		.orShould()
		.dependOnClassesThat()
		.areAssignableTo(DataSource.class)
		.because("repository code reaches tenant data through the tenant-routed JdbcClient only");

}
