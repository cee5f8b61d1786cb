package io.tierflow.tenant.notification;

import java.util.UUID;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * What other features may do to a user's notifications: forget them when the user goes.
 */
@Component
public class UserNotifications {

	private final NotificationRepository notifications;

	UserNotifications(NotificationRepository notifications) {
		this.notifications = notifications;
	}

	/**
	 * Sends the user a notification that no domain event carries (an invitation or a
	 * password reset holds a one-time secret, which never goes on the event plane), in
	 * the caller's transaction.
	 * @param kind what it is, e.g. {@code PASSWORD_RESET}
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public void send(UUID tenantId, UUID userId, String kind, String title, String body) {
		this.notifications.insert(tenantId, userId.toString(), kind, title, body, "direct:" + UUID.randomUUID());
	}

	/**
	 * Removes every notification addressed to the user, in the caller's transaction: they
	 * are the user's personal data.
	 * @return the notifications removed
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	public int removeAllOf(UUID tenantId, UUID userId) {
		return this.notifications.deleteAllOf(tenantId, userId.toString());
	}

}
