package io.tierflow.billing;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.tierflow.testsupport.architecture.TierflowArchitecture;

/**
 * The Tierflow architecture rules for a service that keeps tenant data, shared by every
 * module.
 */
@AnalyzeClasses(packages = "io.tierflow.billing", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

	@ArchTest
	static final ArchRule tierflowArchitecture = TierflowArchitecture.tenantDataService("io.tierflow.billing");

}
