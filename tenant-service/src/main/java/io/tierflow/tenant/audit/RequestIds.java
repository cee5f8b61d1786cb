package io.tierflow.tenant.audit;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id: its {@code X-Request-Id} when it sends a usable one, else a
 * new UUID; echoed in the response, put in the MDC ({@code requestId}) and stored with
 * the request's audit records. Runs before the security filters, so a refused token's
 * answer carries it too. A sent id is used only if it is 1-128 letters, digits or
 * {@code . _ : -}: it is stored for good, and must not carry an e-mail address or other
 * free text.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestIds extends OncePerRequestFilter {

	static final String HEADER = "X-Request-Id";

	private static final String ATTRIBUTE = RequestIds.class.getName() + ".id";

	private static final String RECORDED = RequestIds.class.getName() + ".recorded";

	private static final Pattern USABLE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String sent = request.getHeader(HEADER);
		String id = (sent != null && USABLE.matcher(sent).matches()) ? sent : UUID.randomUUID().toString();
		request.setAttribute(ATTRIBUTE, id);
		response.setHeader(HEADER, id);
		MDC.put("requestId", id);
		try {
			chain.doFilter(request, response);
		}
		finally {
			MDC.remove("requestId");
		}
	}

	/** The current request's id; null outside of a request. */
	static String current() {
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		return (attributes != null) ? (String) attributes.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST)
				: null;
	}

	/** Notes that the current request's success has been recorded. */
	static void markRecorded() {
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		if (attributes != null) {
			attributes.setAttribute(RECORDED, Boolean.TRUE, RequestAttributes.SCOPE_REQUEST);
		}
	}

	static boolean recorded(HttpServletRequest request) {
		return request.getAttribute(RECORDED) != null;
	}

	static String of(HttpServletRequest request) {
		return (String) request.getAttribute(ATTRIBUTE);
	}

}
