package io.tierflow.servicetest;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import io.tierflow.testsupport.architecture.TierflowArchitecture;

/**
 * The Tierflow architecture rules for the services' test library, shared by every module.
 * Its main code is test code, so the coding rules for production code (PermissionMatrix
 * prints its matrix to the test log) do not apply.
 */
@AnalyzeClasses(packages = "io.tierflow.servicetest", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

	@ArchTest
	static final ArchRule tierflowArchitecture = CompositeArchRule
		.of(TierflowArchitecture.featuresAreFreeOfCycles("io.tierflow.servicetest"))
		.and(TierflowArchitecture.doesNotDependOnServices("io.tierflow.servicetest"));

}
