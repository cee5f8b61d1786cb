package io.tierflow.tenancy.context;

/** Tenant-scoped work was attempted on a thread with no tenant bound. */
public class NoTenantContextException extends IllegalStateException {

	public NoTenantContextException() {
		super("No tenant is bound to this thread: tenant data is only reachable inside a tenant scope");
	}

}
