package io.tierflow.tenant.user;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.tenant.UserCreated;
import io.tierflow.events.tenant.UserDeleted;
import io.tierflow.events.tenant.UserRoleChanged;
import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.AuditTarget;
import io.tierflow.tenant.audit.AuditTrail;
import io.tierflow.tenant.identity.Passwords;
import io.tierflow.tenant.identity.UserTokens;
import io.tierflow.tenant.notification.UserNotifications;
import io.tierflow.tenant.tenant.Plan;
import io.tierflow.tenant.tenant.TenantRegistry;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A tenant's users come and go: each change commits with its event on the user topic
 * (keyed by the tenant, so every service sees a user's events in order), and the services
 * move the user's seat in their quotas from those events. A new user is invited to set a
 * password; a deleted one's sign-ins are revoked.
 */
@Service
class TenantUsers {

	private final UserRepository users;

	private final TenantRegistry tenants;

	private final UserNotifications notifications;

	private final Outbox outbox;

	private final AuditTrail audit;

	private final Passwords passwords;

	private final UserTokens tokens;

	TenantUsers(UserRepository users, TenantRegistry tenants, UserNotifications notifications, Outbox outbox,
			AuditTrail audit, Passwords passwords, UserTokens tokens) {
		this.passwords = passwords;
		this.tokens = tokens;
		this.users = users;
		this.tenants = tenants;
		this.notifications = notifications;
		this.outbox = outbox;
		this.audit = audit;
	}

	/**
	 * @throws UserLimitExceededException if the tenant has as many users as its plan
	 * allows
	 * @throws ConflictException if the tenant is suspended or deleted, or has a user with
	 * this e-mail address
	 */
	@Transactional
	User create(UUID tenantId, String email, String name, UserRole role) {
		// Locked until commit: a concurrent creation counts this user.
		Plan plan = this.tenants.lockForNewUser(tenantId);
		int count = this.users.count(tenantId);
		if (count >= plan.maxUsers()) {
			throw new UserLimitExceededException(tenantId, plan, count);
		}
		UUID id = UuidCreator.getTimeOrderedEpoch();
		String address = email.toLowerCase(Locale.ROOT);
		OffsetDateTime created;
		try {
			created = this.users.insert(tenantId, id, address, name, role);
		}
		catch (DuplicateKeyException ex) {
			throw new ConflictException("Tenant " + tenantId + " already has a user " + address);
		}
		User user = new User(id, tenantId, address, name, role, created);
		this.outbox.append(Topics.USER, EventTypes.USER_CREATED, tenantId, id.toString(),
				new UserCreated(tenantId, id, address, name, role.name()));
		this.audit.record(AuditActions.USER_CREATE, AuditTarget.of("user", id), tenantId);
		this.passwords.invite(tenantId, id);
		return user;
	}

	/**
	 * Gives the user another role; announced only if it changed.
	 * @throws NotFoundException if the tenant has no such user
	 */
	@Transactional
	User changeRole(UUID tenantId, UUID userId, UserRole role) {
		this.tenants.requireUsersChangeable(tenantId);
		User user = this.users.findForUpdate(tenantId, userId).orElseThrow(() -> noUser(tenantId, userId));
		// Recorded even when the role stays: the request was made and granted.
		this.audit.record(AuditActions.USER_CHANGE_ROLE, AuditTarget.of("user", userId), tenantId);
		if (user.role() == role) {
			return user;
		}
		this.users.updateRole(tenantId, userId, role);
		this.outbox.append(Topics.USER, EventTypes.USER_ROLE_CHANGED, tenantId, userId.toString(),
				new UserRoleChanged(tenantId, userId, role.name(), user.role().name()));
		return new User(user.id(), tenantId, user.email(), user.name(), role, user.createdAt());
	}

	/**
	 * Deletes the user with their notifications.
	 * @throws NotFoundException if the tenant has no such user
	 */
	@Transactional
	void delete(UUID tenantId, UUID userId) {
		this.tenants.requireUsersChangeable(tenantId);
		// Their refresh tokens go with them (found by their sign-in name, so first).
		this.tokens.revokeAll(tenantId, userId);
		if (!this.users.delete(tenantId, userId)) {
			throw noUser(tenantId, userId);
		}
		this.notifications.removeAllOf(tenantId, userId);
		this.outbox.append(Topics.USER, EventTypes.USER_DELETED, tenantId, userId.toString(),
				new UserDeleted(tenantId, userId));
		this.audit.record(AuditActions.USER_DELETE, AuditTarget.of("user", userId), tenantId);
	}

	@Transactional(readOnly = true)
	List<User> page(UUID tenantId, int page, int size) {
		return this.users.page(tenantId, size, (long) page * size);
	}

	private static NotFoundException noUser(UUID tenantId, UUID userId) {
		return new NotFoundException("Tenant " + tenantId + " has no user " + userId);
	}

}
