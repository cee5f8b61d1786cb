package io.tierflow.tenant.user;

import java.net.URI;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.Page;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.Audited;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Users of a tenant. Holders of {@code users:manage} (system admins and the tenant's own
 * admins) create them (up to the plan's limit, and not while the tenant is suspended or
 * deleted: 409), change their role and delete them; holders of {@code users:read} list
 * them. Another tenant's token finds no such tenant (404), never a forbidden one.
 */
@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/users")
class UserController {

	private final TenantUsers users;

	UserController(TenantUsers users) {
		this.users = users;
	}

	@PostMapping
	@PreAuthorize("hasAuthority('users:manage')")
	@Audited(action = AuditActions.USER_CREATE, target = "user", tenant = "tenantId")
	ResponseEntity<User> create(@PathVariable UUID tenantId, @Valid @RequestBody NewUser body, Authentication auth) {
		requireVisible(tenantId, auth);
		User user = this.users.create(tenantId, body.email(), body.name(), body.role());
		return ResponseEntity.created(URI.create("/api/v1/tenants/" + tenantId + "/users/" + user.id())).body(user);
	}

	@GetMapping
	@PreAuthorize("hasAuthority('users:read')")
	Page<User> list(@PathVariable UUID tenantId, @RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size, Authentication auth) {
		requireVisible(tenantId, auth);
		return new Page<>(this.users.page(tenantId, page, size), page, size);
	}

	@PatchMapping("/{userId}")
	@PreAuthorize("hasAuthority('users:manage')")
	@Audited(action = AuditActions.USER_CHANGE_ROLE, target = "user", targetId = "userId", tenant = "tenantId")
	User update(@PathVariable UUID tenantId, @PathVariable UUID userId, @Valid @RequestBody UserUpdate body,
			Authentication auth) {
		requireVisible(tenantId, auth);
		return this.users.changeRole(tenantId, userId, body.role());
	}

	@DeleteMapping("/{userId}")
	@PreAuthorize("hasAuthority('users:manage')")
	@Audited(action = AuditActions.USER_DELETE, target = "user", targetId = "userId", tenant = "tenantId")
	ResponseEntity<Void> delete(@PathVariable UUID tenantId, @PathVariable UUID userId, Authentication auth) {
		requireVisible(tenantId, auth);
		this.users.delete(tenantId, userId);
		return ResponseEntity.noContent().build();
	}

	/**
	 * What a token may do is its permissions' business; which tenant it sees is this: its
	 * own, or any for a system admin.
	 */
	private static void requireVisible(UUID tenantId, Authentication auth) {
		boolean systemAdmin = auth.getAuthorities()
			.stream()
			.anyMatch((a) -> a.getAuthority().equals("ROLE_SYSTEM_ADMIN"));
		if (!systemAdmin && !TenantContext.current().map(tenantId::equals).orElse(false)) {
			throw new NotFoundException("No tenant " + tenantId);
		}
	}

	record NewUser(@NotBlank @Email @Size(max = 254) String email, @NotBlank @Size(max = 200) String name,
			@NotNull UserRole role) {
	}

	/** The one thing about a user that can change: their role. */
	record UserUpdate(@NotNull UserRole role) {
	}

}
