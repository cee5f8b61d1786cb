package io.tierflow.tenant.user;

/**
 * Roles a tenant's user can have; what each may do is configured
 * ({@code tierflow.security.role-permissions}).
 */
public enum UserRole {

	READ_ONLY, USER, TENANT_ADMIN

}
