package io.tierflow.file;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import io.tierflow.servicetest.PermissionMatrix;
import io.tierflow.servicetest.PermissionMatrix.Body;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.security.RolePermissions;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

/**
 * Every endpoint of the file-service's OpenAPI description, called as every role, answers
 * as the README's Permissions table says.
 */
class PermissionMatrixIT extends RunningFileService {

	@Autowired
	RolePermissions permissions;

	@Test
	void everyEndpointAnswersEachRoleAsThePermissionsTableSays() {
		UUID tenant = provision(Tier.SHARED);

		PermissionMatrix.of("file-service", this.port)
			.tenant(() -> tenant)
			.permissions(this.permissions)
			// An upload is multipart/form-data, which the description names but does
			// not make.
			.body("POST /api/v1/files",
					() -> Body.multipart("file", "matrix.txt", "text/plain",
							"who may upload".getBytes(StandardCharsets.UTF_8), Map.of()))
			.verify();
	}

}
