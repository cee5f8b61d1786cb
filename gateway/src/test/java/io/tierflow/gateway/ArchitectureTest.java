package io.tierflow.gateway;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.tierflow.testsupport.architecture.TierflowArchitecture;

/**
 * The Tierflow architecture rules for the edge, shared by every module.
 */
@AnalyzeClasses(packages = "io.tierflow.gateway", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

	@ArchTest
	static final ArchRule tierflowArchitecture = TierflowArchitecture.service("io.tierflow.gateway");

}
