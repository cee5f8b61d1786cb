package io.tierflow.tenancy.security;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tierflow.tenancy.security.TierflowSecurityAutoConfiguration.RolesConverter;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Roles become permissions as {@code tierflow.security.role-permissions} says: by default
 * each of the four roles grants what the one below it grants and more, configuration
 * replaces a role's permissions, and a role nobody configured grants nothing.
 */
class RolePermissionsTest {

	private static final RolePermissions DEFAULTS = new RolePermissions(null);

	@Test
	void eachDefaultRoleGrantsWhatTheRoleBelowItGrantsAndMore() {
		Set<String> readOnly = DEFAULTS.permissionsOf("READ_ONLY");
		Set<String> user = DEFAULTS.permissionsOf("USER");
		Set<String> tenantAdmin = DEFAULTS.permissionsOf("TENANT_ADMIN");
		Set<String> systemAdmin = DEFAULTS.permissionsOf("SYSTEM_ADMIN");

		assertThat(readOnly).containsExactlyInAnyOrder("tenants:read", "users:read", "notifications:read",
				"models:read", "runs:read", "files:read", "billing:read", "analytics:read");
		assertThat(user).containsAll(readOnly)
			.contains("models:write", "runs:start", "runs:cancel", "files:write", "files:delete", "dashboards:write")
			.hasSize(readOnly.size() + 6);
		assertThat(tenantAdmin).containsAll(user)
			.contains("users:manage", "clients:manage", "tenants:export", "audit:read", "billing:write")
			.hasSize(user.size() + 5);
		assertThat(systemAdmin).containsAll(tenantAdmin)
			.contains("tenants:admin", "audit:verify", "keys:rotate", "analytics:admin", "database:migrate",
					"clusters:manage", "placement:manage")
			.hasSize(tenantAdmin.size() + 7);
	}

	@Test
	void tokenHoldsItsRolesAndTheirPermissions() {
		Collection<String> authorities = authorities(new RolesConverter("roles", DEFAULTS),
				Map.of("roles", List.of("USER")));

		assertThat(authorities).contains("ROLE_USER", "models:write", "runs:cancel", "files:read")
			.doesNotContain("users:manage", "tenants:admin", "ROLE_TENANT_ADMIN");
	}

	@Test
	void severalRolesGrantTheirPermissionsTogetherOnce() {
		Collection<String> authorities = authorities(new RolesConverter("roles", DEFAULTS),
				Map.of("roles", List.of("READ_ONLY", "USER")));

		assertThat(authorities).contains("ROLE_READ_ONLY", "ROLE_USER", "models:write").doesNotHaveDuplicates();
	}

	@Test
	void unknownRoleGrantsNothing() {
		RolesConverter converter = new RolesConverter("roles", DEFAULTS);

		assertThat(authorities(converter, Map.of("roles", List.of("offline_access", "ADMIN")))).isEmpty();
		assertThat(authorities(converter, Map.of("roles", List.of("offline_access", "READ_ONLY"))))
			.contains("ROLE_READ_ONLY", "files:read")
			.doesNotContain("ROLE_offline_access");
	}

	@Test
	void rolesComeFromANestedClaimOrASpaceSeparatedString() {
		assertThat(authorities(new RolesConverter("realm_access.roles", DEFAULTS),
				Map.of("realm_access", Map.of("roles", List.of("TENANT_ADMIN")))))
			.contains("ROLE_TENANT_ADMIN", "users:manage");
		assertThat(authorities(new RolesConverter("roles", DEFAULTS), Map.of("roles", "USER READ_ONLY")))
			.contains("ROLE_USER", "ROLE_READ_ONLY", "files:delete");
	}

	@Test
	void tokenWithoutRolesHoldsNothing() {
		assertThat(authorities(new RolesConverter("roles", DEFAULTS), Map.of("sub", "someone"))).isEmpty();
	}

	@Test
	void configuredRoleReplacesItsDefaultAndTheOthersKeepTheirs() {
		RolePermissions permissions = bind(Map.of("tierflow.security.role-permissions.USER[0]", "files:read",
				"tierflow.security.role-permissions.AUDITOR[0]", "audit:read",
				"tierflow.security.role-permissions.AUDITOR[1]", "tenants:read"));

		assertThat(permissions.permissionsOf("USER")).containsExactly("files:read");
		assertThat(permissions.permissionsOf("AUDITOR")).containsExactly("audit:read", "tenants:read");
		assertThat(permissions.permissionsOf("TENANT_ADMIN")).isEqualTo(DEFAULTS.permissionsOf("TENANT_ADMIN"));
	}

	@Test
	void roleNamedWithoutBracketsStillMeansTheTokensRole() {
		// Spring Boot binds the key TENANT_ADMIN, written without brackets, as
		// TENANTADMIN.
		RolePermissions permissions = bind(
				Map.of("tierflow.security.role-permissions.TENANT_ADMIN[0]", "users:manage"));

		assertThat(authorities(new RolesConverter("roles", permissions), Map.of("roles", List.of("TENANT_ADMIN"))))
			.containsExactly("ROLE_TENANT_ADMIN", "users:manage");
	}

	@Test
	void roleConfiguredWithNoPermissionsGrantsOnlyItsRole() {
		RolePermissions permissions = bind(Map.of("tierflow.security.role-permissions.READ_ONLY", ""));

		assertThat(authorities(new RolesConverter("roles", permissions), Map.of("roles", List.of("READ_ONLY"))))
			.containsExactly("ROLE_READ_ONLY");
	}

	@Test
	void refusesWhatIsNotAPermission() {
		assertThatThrownBy(() -> new RolePermissions(Map.of("USER", List.of("write models"))))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("tierflow.security.role-permissions.USER")
			.hasMessageContaining("resource:action");
		assertThatThrownBy(() -> new RolePermissions(Map.of("USER", List.of("ROLE_SYSTEM_ADMIN"))))
			.isInstanceOf(IllegalArgumentException.class);
	}

	private static RolePermissions bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("tierflow.security",
				RolePermissions.class);
	}

	private static Collection<String> authorities(RolesConverter converter, Map<String, Object> claims) {
		Jwt.Builder jwt = Jwt.withTokenValue("token").header("alg", "RS256");
		claims.forEach(jwt::claim);
		return converter.convert(jwt.build()).stream().map(GrantedAuthority::getAuthority).toList();
	}

}
