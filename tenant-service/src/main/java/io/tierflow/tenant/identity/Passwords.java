package io.tierflow.tenant.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.AuditTarget;
import io.tierflow.tenant.audit.AuditTrail;
import io.tierflow.tenant.notification.UserNotifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Users' passwords. A user sets theirs with a one-time token sent to them as a
 * notification: an invitation when they are created, a reset when one is asked for. Only
 * a token's SHA-256 is stored; a password is stored hashed by the delegating encoder
 * (bcrypt), and neither is ever logged or returned. Setting a password uses up every
 * token of the user and revokes their refresh tokens, so a reset also signs out whoever
 * held the old password.
 */
@Service
public class Passwords {

	private static final Logger log = LoggerFactory.getLogger(Passwords.class);

	/** One reset token per user per this long: asking again sends nothing more. */
	static final Duration RESET_INTERVAL = Duration.ofMinutes(1);

	private static final SecureRandom RANDOM = new SecureRandom();

	private final JdbcClient jdbc;

	private final PasswordEncoder encoder;

	private final UserNotifications notifications;

	private final UserTokens tokens;

	private final AuditTrail audit;

	private final IdentityProperties properties;

	Passwords(JdbcClient jdbc, PasswordEncoder encoder, UserNotifications notifications, UserTokens tokens,
			AuditTrail audit, IdentityProperties properties) {
		this.jdbc = jdbc;
		this.encoder = encoder;
		this.notifications = notifications;
		this.tokens = tokens;
		this.audit = audit;
		this.properties = properties;
	}

	/** Invites a new user to set their password, in the transaction that creates them. */
	@Transactional(propagation = Propagation.MANDATORY)
	public void invite(UUID tenantId, UUID userId) {
		String token = issue(tenantId, userId, Purpose.INVITATION, this.properties.invitationTtl());
		this.notifications.send(tenantId, userId, "PASSWORD_INVITATION", "Set your password",
				"Welcome to Tierflow. Set your password with this invitation token (POST /api/v1/passwords),"
						+ " valid for " + this.properties.invitationTtl().toHours() + " hours: " + token);
	}

	/**
	 * Sends a reset token to the user, if there is one with this address in the tenant
	 * and none was sent in the last minute. The caller learns nothing either way.
	 */
	@Transactional
	void requestReset(String tenantSlug, String email) {
		Optional<UserRef> user = this.jdbc
			.sql("select u.id, u.tenant_id from tenant_user u join tenant t on t.id = u.tenant_id"
					+ " where t.slug = ? and u.email = ? and t.status = 'ACTIVE' for update of u")
			.params(tenantSlug, email.toLowerCase(Locale.ROOT))
			.query((rs, i) -> new UserRef(rs.getObject(2, UUID.class), rs.getObject(1, UUID.class)))
			.optional();
		if (user.isEmpty()) {
			return;
		}
		UUID tenantId = user.get().tenantId();
		UUID userId = user.get().userId();
		boolean recent = this.jdbc
			.sql("select exists (select 1 from password_token where tenant_id = ? and user_id = ?"
					+ " and purpose = 'RESET' and created_at > now() - make_interval(secs => ?))")
			.params(tenantId, userId, RESET_INTERVAL.toSeconds())
			.query(Boolean.class)
			.single();
		if (recent) {
			return;
		}
		this.jdbc.sql("delete from password_token where tenant_id = ? and user_id = ? and purpose = 'RESET'")
			.params(tenantId, userId)
			.update();
		String token = issue(tenantId, userId, Purpose.RESET, this.properties.resetTtl());
		this.notifications.send(tenantId, userId, "PASSWORD_RESET", "Reset your password",
				"Someone asked to reset your Tierflow password. If it was you, set a new one with this token"
						+ " (POST /api/v1/passwords), valid for " + this.properties.resetTtl().toMinutes()
						+ " minutes: " + token);
		this.audit.record(AuditActions.USER_REQUEST_RESET, AuditTarget.of("user", userId), tenantId);
	}

	/**
	 * Sets the password of the token's user and uses the token up.
	 * @throws InvalidPasswordTokenException if the token is unknown, used or expired
	 */
	@Transactional
	void set(String token, String password) {
		byte[] hash = sha256(token);
		UserRef user = this.jdbc
			.sql("delete from password_token where token_hash = ? and expires_at > now() returning tenant_id, user_id")
			.param(hash)
			.query((rs, i) -> new UserRef(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)))
			.optional()
			.orElseThrow(InvalidPasswordTokenException::new);
		this.jdbc
			.sql("update tenant_user set password_hash = ?, password_set_at = now() where tenant_id = ? and id = ?")
			.params(this.encoder.encode(password), user.tenantId(), user.userId())
			.update();
		this.jdbc.sql("delete from password_token where tenant_id = ? and user_id = ?")
			.params(user.tenantId(), user.userId())
			.update();
		int revoked = this.tokens.revokeAll(user.tenantId(), user.userId());
		this.audit.record(AuditActions.USER_SET_PASSWORD, AuditTarget.of("user", user.userId()), user.tenantId());
		log.info("Password set for a user of tenant {}; {} sign-ins revoked", user.tenantId(), revoked);
	}

	private String issue(UUID tenantId, UUID userId, Purpose purpose, Duration ttl) {
		byte[] secret = new byte[32];
		RANDOM.nextBytes(secret);
		String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
		this.jdbc
			.sql("insert into password_token (token_hash, tenant_id, user_id, purpose, expires_at)"
					+ " values (?, ?, ?, ?, now() + make_interval(secs => ?))")
			.params(sha256(token), tenantId, userId, purpose.name(), ttl.toSeconds())
			.update();
		return token;
	}

	private static byte[] sha256(String token) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record UserRef(UUID tenantId, UUID userId) {
	}

	enum Purpose {

		INVITATION, RESET

	}

}
