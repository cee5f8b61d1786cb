package io.tierflow.tenant.notification;

import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.Page;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's notifications: those addressed to the token's subject in the token's
 * tenant, newest first.
 */
@RestController
@RequestMapping("/api/v1/notifications")
class NotificationController {

	private final NotificationRepository notifications;

	NotificationController(NotificationRepository notifications) {
		this.notifications = notifications;
	}

	@GetMapping
	@PreAuthorize("hasAuthority('notifications:read')")
	@Transactional(readOnly = true)
	Page<Notification> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size, Authentication auth) {
		List<Notification> mine = this.notifications.page(TenantContext.require(), auth.getName(), size,
				(long) page * size);
		return new Page<>(mine, page, size);
	}

	/** Marking one's own notification read is part of reading them. */
	@PostMapping("/{id}/read")
	@PreAuthorize("hasAuthority('notifications:read')")
	@Transactional
	ResponseEntity<Void> read(@PathVariable UUID id, Authentication auth) {
		if (!this.notifications.markRead(TenantContext.require(), auth.getName(), id)) {
			throw new NotFoundException("No notification " + id);
		}
		return ResponseEntity.noContent().build();
	}

}
