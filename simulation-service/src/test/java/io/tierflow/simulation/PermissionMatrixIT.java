package io.tierflow.simulation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.UUID;

import com.sun.net.httpserver.HttpServer;
import io.tierflow.servicetest.PermissionMatrix;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.TestTokenDecoderConfiguration;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.security.RolePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint of the simulation-service's OpenAPI description, called as every role,
 * answers as the README's Permissions table says.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestTokenDecoderConfiguration.class)
class PermissionMatrixIT {

	/**
	 * A file-service without files: a model made from a file is then not found, which
	 * shows the permission passed, instead of a 503 for a file-service that is not there.
	 */
	private static final HttpServer NO_FILES = noFiles();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		ServiceTestInfrastructure.tenantDataService(registry, "simulation", "simperm");
		registry.add("tierflow.services.file-url", () -> "http://127.0.0.1:" + NO_FILES.getAddress().getPort());
	}

	@AfterAll
	static void stopFiles() {
		NO_FILES.stop(0);
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

		PermissionMatrix.of("simulation-service", this.port)
			.tenant(() -> tenant)
			.permissions(this.permissions)
			.verify();
	}

	private static HttpServer noFiles() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
			server.createContext("/", (exchange) -> {
				exchange.sendResponseHeaders(404, -1);
				exchange.close();
			});
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
