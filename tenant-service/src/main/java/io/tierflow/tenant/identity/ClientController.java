package io.tierflow.tenant.identity;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.Page;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.Audited;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's machine clients, managed by its admins (and system admins): create one with
 * the roles it acts with (never SYSTEM_ADMIN) and get its secret, once; list them; delete
 * one. Another tenant's token finds no such tenant (404).
 */
@RestController
@RequestMapping("/api/v1/tenants/{tenantId}/clients")
class ClientController {

	private final MachineClients clients;

	ClientController(MachineClients clients) {
		this.clients = clients;
	}

	@PostMapping
	@PreAuthorize("hasAuthority('clients:manage')")
	@Audited(action = AuditActions.CLIENT_CREATE, target = "client", tenant = "tenantId")
	ResponseEntity<MachineClients.CreatedClient> create(@PathVariable UUID tenantId, @Valid @RequestBody NewClient body,
			Authentication auth) {
		requireTenant(tenantId, auth);
		MachineClients.CreatedClient created = this.clients.create(tenantId, body.name(),
				body.roles().stream().distinct().toList(), auth.getName());
		return ResponseEntity
			.created(URI.create("/api/v1/tenants/" + tenantId + "/clients/" + created.client().clientId()))
			.header("Cache-Control", "no-store")
			.body(created);
	}

	@GetMapping
	@PreAuthorize("hasAuthority('clients:manage')")
	Page<MachineClients.MachineClient> list(@PathVariable UUID tenantId,
			@RequestParam(defaultValue = "0") @Min(0) @Max(100000) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size, Authentication auth) {
		requireTenant(tenantId, auth);
		return new Page<>(this.clients.page(tenantId, page, size), page, size);
	}

	@DeleteMapping("/{clientId}")
	@PreAuthorize("hasAuthority('clients:manage')")
	@Audited(action = AuditActions.CLIENT_DELETE, target = "client", tenant = "tenantId")
	ResponseEntity<Void> delete(@PathVariable UUID tenantId, @PathVariable @Size(max = 100) String clientId,
			Authentication auth) {
		requireTenant(tenantId, auth);
		this.clients.delete(tenantId, clientId);
		return ResponseEntity.noContent().build();
	}

	/**
	 * A system admin acts on any tenant; anyone else on their own, and finds no other.
	 */
	private static void requireTenant(UUID tenantId, Authentication auth) {
		boolean systemAdmin = auth.getAuthorities()
			.stream()
			.anyMatch((a) -> a.getAuthority().equals("ROLE_SYSTEM_ADMIN"));
		if (!systemAdmin && !TenantContext.current().map(tenantId::equals).orElse(false)) {
			throw new NotFoundException("No tenant " + tenantId);
		}
	}

	/**
	 * @param roles what the client may do: a tenant's roles, never SYSTEM_ADMIN
	 */
	record NewClient(@NotBlank @Size(max = 200) String name,
			@NotEmpty @Size(max = 3) List<@Pattern(regexp = "TENANT_ADMIN|USER|READ_ONLY") String> roles) {
	}

}
