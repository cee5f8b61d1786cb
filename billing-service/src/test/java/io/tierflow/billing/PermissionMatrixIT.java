package io.tierflow.billing;

import java.util.UUID;

import io.tierflow.servicetest.PermissionMatrix;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.security.RolePermissions;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint of the billing-service's OpenAPI description, called as every role,
 * answers as the README's Permissions table says.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestTokenDecoderConfiguration.class)
class PermissionMatrixIT {

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "billing", "billperm");
	}

	@LocalServerPort
	int port;

	@Autowired
	TenantProvisioner provisioner;

	@Autowired
	RolePermissions permissions;

	@Test
	void everyEndpointAnswersEachRoleAsThePermissionsTableSays() {
		UUID tenant = UUID.randomUUID();
		assertThat(this.provisioner.provision(tenant, Tier.SHARED, "eu").state()).isEqualTo(PlacementState.READY);

		PermissionMatrix.of("billing-service", this.port).tenant(() -> tenant).permissions(this.permissions).verify();
	}

}
