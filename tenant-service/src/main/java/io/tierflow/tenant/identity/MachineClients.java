package io.tierflow.tenant.identity;

import java.security.SecureRandom;
import java.sql.Array;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.AuditTarget;
import io.tierflow.tenant.audit.AuditTrail;
import io.tierflow.tenant.tenant.TenantRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A tenant's machine clients: service accounts that get tokens with client credentials at
 * {@code /oauth2/token}, for the tenant and the roles their admin gave them. The secret
 * is generated here, shown once and kept only as its hash. Deleting a client removes its
 * registration and its authorizations in one transaction.
 */
@Service
class MachineClients {

	private static final Logger log = LoggerFactory.getLogger(MachineClients.class);

	private static final SecureRandom RANDOM = new SecureRandom();

	private final JdbcClient jdbc;

	private final RegisteredClientRepository registrations;

	private final PasswordEncoder encoder;

	private final TenantRegistry tenants;

	private final AuditTrail audit;

	private final IdentityProperties properties;

	MachineClients(JdbcClient jdbc, RegisteredClientRepository registrations, PasswordEncoder encoder,
			TenantRegistry tenants, AuditTrail audit, IdentityProperties properties) {
		this.jdbc = jdbc;
		this.registrations = registrations;
		this.encoder = encoder;
		this.tenants = tenants;
		this.audit = audit;
		this.properties = properties;
	}

	/**
	 * @throws ConflictException if the tenant cannot get new members (suspended or
	 * deleted) or has as many clients as allowed
	 */
	@Transactional
	CreatedClient create(UUID tenantId, String name, List<String> roles, String createdBy) {
		// Locked until commit, as for a new user: concurrent creations count each other.
		this.tenants.lockForNewUser(tenantId);
		int count = this.jdbc.sql("select count(*) from tenant_client where tenant_id = ?")
			.param(tenantId)
			.query(Integer.class)
			.single();
		if (count >= this.properties.maxClientsPerTenant()) {
			throw new ConflictException("Tenant " + tenantId + " has " + count + " clients, the most allowed ("
					+ this.properties.maxClientsPerTenant() + "); delete one first");
		}
		String clientId = "tf-" + UUID.randomUUID();
		String secret = secret();
		this.registrations.save(RegisteredClient.withId(UUID.randomUUID().toString())
			.clientId(clientId)
			.clientName(name)
			.clientSecret(this.encoder.encode(secret))
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenSettings(TokenSettings.builder().accessTokenTimeToLive(this.properties.accessTokenTtl()).build())
			.build());
		OffsetDateTime created = this.jdbc
			.sql("insert into tenant_client (client_id, tenant_id, name, roles, created_by) values (?, ?, ?, ?, ?)"
					+ " returning created_at")
			.params(clientId, tenantId, name, roles.toArray(String[]::new), createdBy)
			.query(OffsetDateTime.class)
			.single();
		this.audit.record(AuditActions.CLIENT_CREATE, new AuditTarget("client", clientId), tenantId);
		log.info("Client {} created for tenant {} with roles {}", clientId, tenantId, roles);
		return new CreatedClient(new MachineClient(clientId, tenantId, name, roles, created), secret);
	}

	@Transactional(readOnly = true)
	List<MachineClient> page(UUID tenantId, int page, int size) {
		return this.jdbc
			.sql("select client_id, tenant_id, name, roles, created_at from tenant_client where tenant_id = ?"
					+ " order by created_at, client_id limit ? offset ?")
			.params(tenantId, size, (long) page * size)
			.query((rs, i) -> new MachineClient(rs.getString(1), rs.getObject(2, UUID.class), rs.getString(3),
					roles(rs.getArray(4)), rs.getObject(5, OffsetDateTime.class)))
			.list();
	}

	/**
	 * Deletes the client and revokes its tokens: no new ones are issued, and those issued
	 * run out within the access token lifetime.
	 * @throws NotFoundException if the tenant has no such client
	 */
	@Transactional
	void delete(UUID tenantId, String clientId) {
		this.tenants.requireUsersChangeable(tenantId);
		if (this.jdbc.sql("delete from tenant_client where tenant_id = ? and client_id = ?")
			.params(tenantId, clientId)
			.update() == 0) {
			throw new NotFoundException("Tenant " + tenantId + " has no client " + clientId);
		}
		revokeRegistration(this.jdbc, clientId);
		this.audit.record(AuditActions.CLIENT_DELETE, new AuditTarget("client", clientId), tenantId);
	}

	/**
	 * Removes a client's registration and its authorizations, in the caller's
	 * transaction.
	 */
	static void revokeRegistration(JdbcClient jdbc, String clientId) {
		jdbc.sql("delete from oauth2_authorization where registered_client_id in"
				+ " (select id from oauth2_registered_client where client_id = ?)")
			.param(clientId)
			.update();
		jdbc.sql("delete from oauth2_registered_client where client_id = ?").param(clientId).update();
	}

	private static List<String> roles(Array array) throws java.sql.SQLException {
		return List.of((String[]) array.getArray());
	}

	private static String secret() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** A machine client, without its secret. */
	record MachineClient(String clientId, UUID tenantId, String name, List<String> roles, OffsetDateTime createdAt) {
	}

	/** A new client with its secret: the only time the secret is shown. */
	record CreatedClient(MachineClient client, String clientSecret) {
	}

}
