package io.tierflow.tenant.user;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.tenant.UserCreated;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.Page;
import io.tierflow.tenant.tenant.TenantRegistry;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Users of a tenant. System admins and the tenant's own admins create them, unless the
 * tenant is suspended or deleted (409); the tenant's users list them. Creating one emits
 * user.created with the row, atomically.
 */
@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/users")
class UserController {

	private final JdbcClient jdbc;

	private final Outbox outbox;

	private final TenantRegistry tenants;

	UserController(JdbcClient jdbc, Outbox outbox, TenantRegistry tenants) {
		this.jdbc = jdbc;
		this.outbox = outbox;
		this.tenants = tenants;
	}

	@PostMapping
	@Transactional
	ResponseEntity<User> create(@PathVariable UUID tenantId, @Valid @RequestBody NewUser body, Authentication auth) {
		requireAccess(tenantId, auth, true);
		this.tenants.requireAcceptsNewUsers(tenantId);
		UUID id = UuidCreator.getTimeOrderedEpoch();
		OffsetDateTime created;
		try {
			created = this.jdbc
				.sql("insert into tenant_user (tenant_id, id, email, name, role) values (?, ?, ?, ?, ?)"
						+ " returning created_at")
				.params(tenantId, id, body.email().toLowerCase(java.util.Locale.ROOT), body.name(), body.role().name())
				.query(OffsetDateTime.class)
				.single();
		}
		catch (DuplicateKeyException ex) {
			throw new ConflictException("Tenant " + tenantId + " already has a user " + body.email());
		}
		catch (DataIntegrityViolationException ex) {
			throw new NotFoundException("No tenant " + tenantId);
		}
		User user = new User(id, tenantId, body.email().toLowerCase(java.util.Locale.ROOT), body.name(), body.role(),
				created);
		this.outbox.append(Topics.USER, EventTypes.USER_CREATED, tenantId, id.toString(),
				new UserCreated(tenantId, id, user.email(), user.name(), user.role().name()));
		return ResponseEntity.created(URI.create("/api/v1/tenants/" + tenantId + "/users/" + id)).body(user);
	}

	@GetMapping
	@Transactional(readOnly = true)
	Page<User> list(@PathVariable UUID tenantId, @RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size, Authentication auth) {
		requireAccess(tenantId, auth, false);
		List<User> users = this.jdbc
			.sql("select id, tenant_id, email, name, role, created_at from tenant_user where tenant_id = ?"
					+ " order by id limit ? offset ?")
			.params(tenantId, size, (long) page * size)
			.query((rs, i) -> new User(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
					rs.getString(4), UserRole.valueOf(rs.getString(5)), rs.getObject(6, OffsetDateTime.class)))
			.list();
		return new Page<>(users, page, size);
	}

	private static void requireAccess(UUID tenantId, Authentication auth, boolean admin) {
		boolean systemAdmin = has(auth, "ROLE_SYSTEM_ADMIN");
		boolean ownTenant = TenantContext.current().map(tenantId::equals).orElse(false);
		if (systemAdmin) {
			return;
		}
		if (!ownTenant) {
			throw new NotFoundException("No tenant " + tenantId);
		}
		if (admin && !has(auth, "ROLE_TENANT_ADMIN")) {
			throw new org.springframework.security.access.AccessDeniedException("Only a tenant admin may add users");
		}
	}

	private static boolean has(Authentication auth, String authority) {
		return auth.getAuthorities().stream().anyMatch((a) -> a.getAuthority().equals(authority));
	}

	record NewUser(@NotBlank @Email @Size(max = 254) String email, @NotBlank @Size(max = 200) String name,
			@NotNull UserRole role) {
	}

}
