package io.tierflow.tenancy.security;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The permissions each role grants ({@code tierflow.security.role-permissions}). A
 * permission is {@code resource:action} ({@code models:write}, {@code runs:cancel});
 * every endpoint requires one, with
 * {@code @PreAuthorize("hasAuthority('models:write')")}, and a token holds the
 * permissions of the roles in its roles claim. The README's "Permissions" section lists
 * which endpoint requires which permission.
 *
 * <p>
 * Defaults, each role granting what the one before it grants and more:
 * <ul>
 * <li>{@code READ_ONLY}: {@code tenants:read}, {@code users:read},
 * {@code notifications:read}, {@code models:read}, {@code runs:read}, {@code files:read},
 * {@code billing:read}, {@code analytics:read}</li>
 * <li>{@code USER}: those and {@code models:write}, {@code runs:start},
 * {@code runs:cancel}, {@code files:write}, {@code files:delete},
 * {@code dashboards:write}</li>
 * <li>{@code TENANT_ADMIN}: those and {@code users:manage}, {@code clients:manage},
 * {@code tenants:export}, {@code audit:read}, {@code billing:write}</li>
 * <li>{@code SYSTEM_ADMIN}: those and {@code tenants:admin}, {@code audit:verify},
 * {@code keys:rotate}, {@code analytics:admin}, {@code database:migrate},
 * {@code clusters:manage}, {@code placement:manage}</li>
 * </ul>
 * A role named in configuration grants exactly the permissions listed for it (none when
 * the list is empty); a role not named keeps its default; a role that is neither (an
 * outside provider's {@code offline_access}, say) grants nothing. Role names are compared
 * ignoring case and anything but letters and digits, because Spring Boot drops the
 * {@code _} of a map key written without brackets ({@code TENANT_ADMIN} binds as
 * {@code TENANTADMIN}) and a key set by an environment variable arrives in lower case.
 *
 * @param rolePermissions the permissions of each role, over the defaults
 */
@ConfigurationProperties("tierflow.security")
public record RolePermissions(Map<String, List<String>> rolePermissions) {

	/** A resource and an action, lower-case words joined by dashes. */
	private static final Pattern PERMISSION = Pattern.compile("[a-z][a-z0-9-]*:[a-z][a-z0-9-]*");

	private static final List<String> READ_ONLY_PERMISSIONS = List.of("tenants:read", "users:read",
			"notifications:read", "models:read", "runs:read", "files:read", "billing:read", "analytics:read");

	private static final List<String> USER_PERMISSIONS = concat(READ_ONLY_PERMISSIONS, "models:write", "runs:start",
			"runs:cancel", "files:write", "files:delete", "dashboards:write");

	private static final List<String> TENANT_ADMIN_PERMISSIONS = concat(USER_PERMISSIONS, "users:manage",
			"clients:manage", "tenants:export", "audit:read", "billing:write");

	private static final List<String> SYSTEM_ADMIN_PERMISSIONS = concat(TENANT_ADMIN_PERMISSIONS, "tenants:admin",
			"audit:verify", "keys:rotate", "analytics:admin", "database:migrate", "clusters:manage",
			"placement:manage");

	/** The default permissions of Tierflow's four roles. */
	public static final Map<String, List<String>> DEFAULTS = defaults();

	public RolePermissions {
		Map<String, List<String>> merged = new LinkedHashMap<>(DEFAULTS);
		if (rolePermissions != null) {
			for (Map.Entry<String, List<String>> role : rolePermissions.entrySet()) {
				List<String> permissions = (role.getValue() != null)
						? role.getValue().stream().filter((p) -> p != null && !p.isBlank()).map(String::trim).toList()
						: List.of();
				for (String permission : permissions) {
					if (!PERMISSION.matcher(permission).matches()) {
						throw new IllegalArgumentException("tierflow.security.role-permissions." + role.getKey() + ": '"
								+ permission + "' is not a permission (resource:action, like models:write)");
					}
				}
				// Replaces the default of the same role, however its name was written.
				merged.keySet().removeIf((name) -> key(name).equals(key(role.getKey())));
				merged.put(role.getKey(), permissions);
			}
		}
		rolePermissions = Collections.unmodifiableMap(merged);
	}

	/**
	 * The permissions {@code role} grants, in the order configured; empty for a role
	 * unknown here.
	 */
	public Set<String> permissionsOf(String role) {
		Set<String> permissions = new LinkedHashSet<>();
		String wanted = key(role);
		this.rolePermissions.forEach((name, granted) -> {
			if (key(name).equals(wanted)) {
				permissions.addAll(granted);
			}
		});
		return permissions;
	}

	/** Whether {@code role} is configured here (with permissions or without). */
	public boolean knows(String role) {
		String wanted = key(role);
		return this.rolePermissions.keySet().stream().anyMatch((name) -> key(name).equals(wanted));
	}

	/** The permissions of all {@code roles} together. */
	public Set<String> permissionsOf(Collection<String> roles) {
		Set<String> permissions = new LinkedHashSet<>();
		roles.forEach((role) -> permissions.addAll(permissionsOf(role)));
		return permissions;
	}

	private static String key(String role) {
		return (role != null) ? role.replaceAll("[^A-Za-z0-9]", "").toUpperCase(Locale.ROOT) : "";
	}

	private static Map<String, List<String>> defaults() {
		Map<String, List<String>> defaults = new LinkedHashMap<>();
		defaults.put("READ_ONLY", READ_ONLY_PERMISSIONS);
		defaults.put("USER", USER_PERMISSIONS);
		defaults.put("TENANT_ADMIN", TENANT_ADMIN_PERMISSIONS);
		defaults.put(TierflowSecurityProperties.SYSTEM_ADMIN, SYSTEM_ADMIN_PERMISSIONS);
		return Collections.unmodifiableMap(defaults);
	}

	private static List<String> concat(List<String> granted, String... more) {
		return Stream.concat(granted.stream(), Stream.of(more)).toList();
	}

}
