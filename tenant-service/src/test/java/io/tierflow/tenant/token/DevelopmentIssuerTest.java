package io.tierflow.tenant.token;

import java.time.Duration;
import java.util.List;

import io.tierflow.tenancy.security.TierflowSecurityProperties;
import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.tenancy.web.NotFoundException;
import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The development issuer signs whatever it is asked: it starts only with the dev profile,
 * and answers only this machine.
 */
class DevelopmentIssuerTest {

	private static final TierflowSecurityProperties SECURITY = new TierflowSecurityProperties("tierflow",
			List.of("tierflow"), null, List.of("RS256"), Duration.ofSeconds(30), "tenant_id", "roles", "X-Tenant-Id",
			List.of());

	private static final TokenProperties DEV = new TokenProperties(null, null, true);

	private static final com.nimbusds.jose.jwk.RSAKey KEY = TokenIssuer.generateKey();

	private static List<com.nimbusds.jose.jwk.RSAKey> keys() {
		return List.of(KEY);
	}

	@Test
	void refusesToStartWithoutTheDevProfile() {
		assertThatThrownBy(
				() -> TokenConfiguration.issuer(DEV, SECURITY, new MockEnvironment(), DevelopmentIssuerTest::keys))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("dev profile");
	}

	@Test
	void startsWithTheDevProfileAndSignsAsTheIssuerServicesExpect() {
		MockEnvironment environment = new MockEnvironment();
		environment.setActiveProfiles("dev");
		TokenIssuer issuer = TokenConfiguration.issuer(DEV, SECURITY, environment, DevelopmentIssuerTest::keys);
		assertThat(issuer.issuer()).isEqualTo("tierflow");
		assertThat(issuer.audience()).isEqualTo("tierflow");
	}

	@Test
	void answersOnlyLoopbackClients() {
		TokenController controller = new TokenController(new TokenIssuer(TokenIssuer.generateKey(), "tierflow"), DEV);
		TokenController.DevTokenRequest request = new TokenController.DevTokenRequest("admin", null,
				List.of("SYSTEM_ADMIN"), 5, null);
		for (String remote : List.of("10.0.0.5", "192.168.1.20", "::ffff:10.0.0.5", "2001:db8::1")) {
			MockHttpServletRequest http = new MockHttpServletRequest();
			http.setRemoteAddr(remote);
			assertThatThrownBy(() -> controller.devToken(request, http)).isInstanceOf(NotFoundException.class);
		}
		for (String remote : List.of("127.0.0.1", "0:0:0:0:0:0:0:1")) {
			MockHttpServletRequest http = new MockHttpServletRequest();
			http.setRemoteAddr(remote);
			assertThat(controller.devToken(request, http)).containsKey("token");
		}
	}

}
