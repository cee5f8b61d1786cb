package io.tierflow.tenancy.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request whose {@code Content-Type} is a media range ({@code application/*},
 * {@code *}{@code /*}) with 415 problem+json. Spring MVC takes any other malformed type
 * for an unsupported one (415), but a range fails its header handling with an
 * IllegalArgumentException, which would be answered as a 500. Registered in every servlet
 * service by {@link TierflowWebAutoConfiguration}.
 */
public class ConcreteContentType extends OncePerRequestFilter {

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (isRange(request.getContentType())) {
			response.setHeader("Connection", "close");
			Problems.write(request, response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
					"Content-Type must name one media type, such as application/json, not a range such as "
							+ "application/*");
			return;
		}
		chain.doFilter(request, response);
	}

	private static boolean isRange(String contentType) {
		if (contentType == null) {
			return false;
		}
		try {
			MediaType type = MediaType.parseMediaType(contentType);
			return type.isWildcardType() || type.isWildcardSubtype();
		}
		catch (InvalidMediaTypeException ex) {
			// Spring MVC answers 415 to a type it cannot parse.
			return false;
		}
	}

}
