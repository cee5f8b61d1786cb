package io.tierflow.tenant.user;

/** Roles a tenant's user can have. */
public enum UserRole {

	USER, TENANT_ADMIN

}
