package io.tierflow.tenant.identity;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A password token that is unknown, used or expired: 400 problem+json, the same for each,
 * so that the answer does not say which tokens once existed.
 */
class InvalidPasswordTokenException extends ErrorResponseException {

	InvalidPasswordTokenException() {
		super(HttpStatus.BAD_REQUEST, problem(), null);
	}

	private static ProblemDetail problem() {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
				"The token is unknown, used or expired; ask for a new one with POST /api/v1/password-resets");
		problem.setTitle("Invalid password token");
		return problem;
	}

	@Override
	public String getMessage() {
		return getBody().getDetail();
	}

}
