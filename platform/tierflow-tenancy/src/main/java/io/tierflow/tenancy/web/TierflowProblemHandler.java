package io.tierflow.tenancy.web;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import io.tierflow.tenancy.context.NoTenantContextException;
import io.tierflow.tenancy.placement.NoPlacementAvailableException;
import io.tierflow.tenancy.placement.ConflictingMoveException;
import io.tierflow.tenancy.placement.TenantErasedException;
import io.tierflow.tenancy.placement.TenantMovedException;
import io.tierflow.tenancy.placement.TenantNotReadyException;
import io.tierflow.tenancy.placement.TenantSuspendedException;
import io.tierflow.tenancy.placement.UnknownTenantException;
import jakarta.validation.ConstraintViolationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Answers every failure as RFC 9457 problem+json: bad input and tenant states are 4xx
 * with a message a client can act on; anything unexpected is a bare 500 without
 * internals.
 */
@RestControllerAdvice
public class TierflowProblemHandler extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(TierflowProblemHandler.class);

	@ExceptionHandler(UnknownTenantException.class)
	ProblemDetail unknownTenant(UnknownTenantException ex) {
		return problem(HttpStatus.NOT_FOUND, "Unknown tenant", ex.getMessage());
	}

	@ExceptionHandler(TenantSuspendedException.class)
	ProblemDetail suspended(TenantSuspendedException ex) {
		return problem(HttpStatus.FORBIDDEN, "Tenant suspended", ex.getMessage());
	}

	@ExceptionHandler(TenantErasedException.class)
	ProblemDetail erased(TenantErasedException ex) {
		return problem(HttpStatus.GONE, "Tenant deleted", ex.getMessage());
	}

	@ExceptionHandler(TenantNotReadyException.class)
	ResponseEntity<ProblemDetail> notReady(TenantNotReadyException ex) {
		return ResponseEntity.status(HttpStatus.CONFLICT)
			.header(HttpHeaders.RETRY_AFTER, "1")
			.body(problem(HttpStatus.CONFLICT, "Tenant not ready", ex.getMessage()));
	}

	@ExceptionHandler(ConflictingMoveException.class)
	ProblemDetail conflictingMove(ConflictingMoveException ex) {
		return problem(HttpStatus.CONFLICT, "Move already running", ex.getMessage());
	}

	@ExceptionHandler(TenantMovedException.class)
	ResponseEntity<ProblemDetail> moved(TenantMovedException ex) {
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, "1")
			.body(problem(HttpStatus.SERVICE_UNAVAILABLE, "Tenant moving", ex.getMessage()));
	}

	@ExceptionHandler(NoTenantContextException.class)
	ProblemDetail noTenant(NoTenantContextException ex) {
		return problem(HttpStatus.FORBIDDEN, "No tenant", "The token does not name a tenant to act for");
	}

	@ExceptionHandler(NoPlacementAvailableException.class)
	ProblemDetail noPlacement(NoPlacementAvailableException ex) {
		return problem(HttpStatus.UNPROCESSABLE_CONTENT, "No placement available", ex.getMessage());
	}

	@ExceptionHandler(NotFoundException.class)
	ProblemDetail notFound(NotFoundException ex) {
		return problem(HttpStatus.NOT_FOUND, "Not found", ex.getMessage());
	}

	@ExceptionHandler(DuplicateKeyException.class)
	ProblemDetail duplicate(DuplicateKeyException ex) {
		return problem(HttpStatus.CONFLICT, "Already exists", "A resource with the same identity already exists");
	}

	@ExceptionHandler(ConstraintViolationException.class)
	ProblemDetail badInput(ConstraintViolationException ex) {
		return problem(HttpStatus.BAD_REQUEST, "Invalid request", ex.getMessage());
	}

	/**
	 * PostgreSQL refused a value the request carried (SQLSTATE class 22, data exception:
	 * a NUL character, an out-of-range number, a malformed JSON escape): the client's
	 * input, not a fault.
	 */
	@ExceptionHandler(DataAccessException.class)
	ProblemDetail dataAccess(DataAccessException ex) {
		if (ex.getMostSpecificCause() instanceof SQLException sql && sql.getSQLState() != null
				&& sql.getSQLState().startsWith("22")) {
			return problem(HttpStatus.BAD_REQUEST, "Invalid value",
					"A value in the request cannot be stored (SQLSTATE " + sql.getSQLState() + ")");
		}
		return unexpected(ex);
	}

	@ExceptionHandler(BadRequestException.class)
	ProblemDetail badRequest(BadRequestException ex) {
		return problem(HttpStatus.BAD_REQUEST, "Invalid request", ex.getMessage());
	}

	@ExceptionHandler(ConflictException.class)
	ProblemDetail conflict(ConflictException ex) {
		return problem(HttpStatus.CONFLICT, "Conflict", ex.getMessage());
	}

	/**
	 * Spring Security's firewall checks form parameter names only when they are read,
	 * which Spring MVC does for a form-encoded body: a name it refuses then throws here.
	 */
	@ExceptionHandler(RequestRejectedException.class)
	ProblemDetail rejected(RequestRejectedException ex) {
		return problem(HttpStatus.BAD_REQUEST, "Request rejected",
				"The request has characters that are not allowed in a parameter name, header or path");
	}

	/**
	 * A multipart body that cannot be parsed (no boundary, cut short), which Spring MVC
	 * reads before any endpoint: the client's input, not a fault. One too large is a 413,
	 * answered by the base class.
	 */
	@ExceptionHandler(MultipartException.class)
	ProblemDetail unreadableMultipart(MultipartException ex) {
		return problem(HttpStatus.BAD_REQUEST, "Invalid request", "The body is not readable multipart/form-data");
	}

	@ExceptionHandler(ForbiddenException.class)
	ProblemDetail forbidden(ForbiddenException ex) {
		return problem(HttpStatus.FORBIDDEN, "Forbidden", ex.getMessage());
	}

	@ExceptionHandler(AccessDeniedException.class)
	ProblemDetail denied(AccessDeniedException ex) {
		return problem(HttpStatus.FORBIDDEN, "Forbidden", "The token does not allow this request");
	}

	@ExceptionHandler(AuthenticationException.class)
	ProblemDetail unauthenticated(AuthenticationException ex) {
		return problem(HttpStatus.UNAUTHORIZED, "Unauthorized", "A valid bearer token is required");
	}

	@ExceptionHandler(Exception.class)
	ProblemDetail unexpected(Exception ex) {
		log.error("Unexpected failure", ex);
		return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error", "The request could not be completed");
	}

	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		ProblemDetail body = problem(HttpStatus.BAD_REQUEST, "Invalid request", "Some fields are invalid");
		List<Map<String, Object>> errors = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map((f) -> Map.<String, Object>of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage())))
			.toList();
		body.setProperty("errors", errors);
		return ResponseEntity.badRequest().body(body);
	}

	@Override
	protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		ProblemDetail body = problem(HttpStatus.BAD_REQUEST, "Invalid request",
				ex.getAllErrors().stream().map((e) -> String.valueOf(e.getDefaultMessage())).toList().toString());
		return ResponseEntity.badRequest().body(body);
	}

	private static ProblemDetail problem(HttpStatus status, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setTitle(title);
		return problem;
	}

}
