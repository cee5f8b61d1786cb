package io.tierflow.tenant.user;

import java.util.UUID;

import io.tierflow.tenant.tenant.Plan;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A new user the tenant's plan has no room for: 409 problem+json naming the limit
 * ({@code limit} usersPerTenant and its {@code limitValue}, as the services name their
 * quotas), the plan and the users the tenant has.
 *
 * @see Plan#maxUsers()
 */
class UserLimitExceededException extends ErrorResponseException {

	static final String LIMIT = "usersPerTenant";

	UserLimitExceededException(UUID tenantId, Plan plan, int users) {
		super(HttpStatus.CONFLICT, problem(tenantId, plan, users), null);
	}

	private static ProblemDetail problem(UUID tenantId, Plan plan, int users) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
				"The " + plan + " plan allows at most " + plan.maxUsers() + " users per tenant (" + LIMIT
						+ "), and tenant " + tenantId + " has " + users
						+ "; delete a user or change to a larger plan first");
		problem.setTitle("User limit reached");
		problem.setProperty("limit", LIMIT);
		problem.setProperty("limitValue", plan.maxUsers());
		problem.setProperty("plan", plan.name());
		problem.setProperty("users", users);
		return problem;
	}

	@Override
	public String getMessage() {
		return getBody().getDetail();
	}

}
