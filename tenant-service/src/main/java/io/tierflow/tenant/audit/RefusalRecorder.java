package io.tierflow.tenant.audit;

import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Records the requests to {@link Audited} endpoints that are answered with a problem, as
 * the problem is about to be written: its status is known then, whatever refused the
 * request (method security, validation, the service), and the client cannot read the
 * answer before the record exists. The change, if one had begun, has rolled back; the
 * record gets a transaction of its own. A problem written some other way is recorded once
 * the request has completed.
 * <p>
 * The record goes to the chain of the tenant named in the path when the token may act for
 * it (a system admin's, or the tenant's own); any other token's refusal goes to the chain
 * of the token's tenant, without the foreign id: an outsider cannot write into a tenant's
 * trail, nor learn from it, and an id that was probed is not kept. Requests without a
 * valid token never reach an endpoint and are not recorded.
 */
@ControllerAdvice
class RefusalRecorder implements ResponseBodyAdvice<Object>, HandlerInterceptor {

	private static final Logger log = LoggerFactory.getLogger(RefusalRecorder.class);

	private static final String RECORDED = RefusalRecorder.class.getName() + ".recorded";

	private final AuditTrail trail;

	RefusalRecorder(AuditTrail trail) {
		this.trail = trail;
	}

	@Override
	public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
		return true;
	}

	@Override
	public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
			Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
			ServerHttpResponse response) {
		if (body instanceof ProblemDetail problem && request instanceof ServletServerHttpRequest servlet) {
			HttpServletRequest http = servlet.getServletRequest();
			if (http.getAttribute(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE) instanceof HandlerMethod handler) {
				record(http, handler, problem.getStatus());
			}
		}
		return body;
	}

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			Exception ex) {
		if (!(handler instanceof HandlerMethod method)) {
			return;
		}
		int status = response.getStatus();
		if (status >= 400) {
			record(request, method, status);
		}
		else if (method.hasMethodAnnotation(Audited.class) && !RequestIds.recorded(request)) {
			log.error("{} {} succeeded ({}) without an audit record of {}", request.getMethod(),
					request.getRequestURI(), status, method.getMethodAnnotation(Audited.class).action());
		}
	}

	private void record(HttpServletRequest request, HandlerMethod handler, int status) {
		Audited audited = handler.getMethodAnnotation(Audited.class);
		if (audited == null || status < 400 || request.getAttribute(RECORDED) != null) {
			return;
		}
		request.setAttribute(RECORDED, Boolean.TRUE);
		Actor actor = this.trail.actor();
		UUID tenant = pathId(request, audited.tenant());
		UUID target = pathId(request, audited.targetId());
		if (!Actor.isSystemAdmin() && (tenant == null || !tenant.equals(actor.tenantId()))) {
			if (tenant != null) {
				target = null;
			}
			tenant = actor.tenantId();
		}
		try {
			this.trail.recordProblem(audited.action(), AuditTarget.of(audited.target(), target), tenant, actor, status,
					RequestIds.of(request));
		}
		catch (RuntimeException failure) {
			log.error("Could not record the refusal ({}) of {} by {}: {}", status, audited.action(), actor.subject(),
					failure.toString());
		}
	}

	/**
	 * A path variable as an id; anything that is not a UUID is not stored (it is the
	 * caller's text, and was refused anyway).
	 */
	private static UUID pathId(HttpServletRequest request, String variable) {
		if (variable.isEmpty()) {
			return null;
		}
		@SuppressWarnings("unchecked")
		Map<String, String> variables = (Map<String, String>) request
			.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
		String value = (variables != null) ? variables.get(variable) : null;
		try {
			return (value != null) ? UUID.fromString(value) : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

}
