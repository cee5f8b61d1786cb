package io.tierflow.gateway.console;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The console's pages (tierflow-console, served at {@code /}) under a strict
 * Content-Security-Policy: scripts, styles and API calls from the gateway's own origin
 * only, nothing inline, no plugins, no framing, no {@code <base>}. The console keeps its
 * token in page memory, so a script injected from elsewhere is what the policy keeps out.
 * API answers (JSON) need none and get none.
 */
public class ConsoleHeaders extends OncePerRequestFilter {

	/**
	 * The policy the console is built to: Vite's bundle has no inline script or style.
	 */
	public static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
			+ " img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none';"
			+ " frame-ancestors 'none'; form-action 'self'";

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		return !(path.equals("/") || path.equals("/index.html") || path.startsWith("/assets/"));
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		response.setHeader("Content-Security-Policy", POLICY);
		response.setHeader("Referrer-Policy", "no-referrer");
		chain.doFilter(request, response);
	}

}
