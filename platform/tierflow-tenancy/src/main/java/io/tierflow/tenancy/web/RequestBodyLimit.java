package io.tierflow.tenancy.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.BufferedReader;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request body larger than a service's limit with a 413 problem. A declared
 * {@code Content-Length} beyond it is refused unread; a body of unknown length (chunked)
 * is read up to one byte past the limit, and passed on from memory when it is within.
 * JSON is otherwise read by Jackson as it arrives, with no bound on its size (Tomcat
 * bounds only form posts). Streamed endpoints (uploads) are exempt by method and path:
 * they bound their bodies themselves as they read them. Register it ahead of
 * authentication: an oversized body costs nothing, whoever sends it.
 */
public class RequestBodyLimit extends OncePerRequestFilter {

	private final long maxBytes;

	private final String property;

	private final Set<String> exempt;

	/**
	 * @param maxBytes the largest body accepted
	 * @param property the property that sets it, named in the problem's detail
	 * @param exempt requests whose bodies are not limited here, as
	 * {@code "METHOD /exact/path"}
	 */
	public RequestBodyLimit(long maxBytes, String property, Set<String> exempt) {
		this.maxBytes = maxBytes;
		this.property = property;
		this.exempt = Set.copyOf(exempt);
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !this.exempt.isEmpty() && this.exempt
			.contains(request.getMethod() + " " + request.getRequestURI().substring(request.getContextPath().length()));
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long declared = request.getContentLengthLong();
		if (declared > this.maxBytes) {
			refuse(request, response);
			return;
		}
		if (declared < 0 && request.getHeader("Transfer-Encoding") != null) {
			byte[] body = request.getInputStream().readNBytes((int) this.maxBytes + 1);
			if (body.length > this.maxBytes) {
				refuse(request, response);
				return;
			}
			chain.doFilter(new BufferedBody(request, body), response);
			return;
		}
		chain.doFilter(request, response);
	}

	private void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
		// The connection cannot be reused with an unread body in it.
		response.setHeader("Connection", "close");
		Problems.write(request, response, HttpStatus.CONTENT_TOO_LARGE, "Request body too large",
				"A request body may have at most " + this.maxBytes + " bytes (limit maxBodySize, " + this.property
						+ ")");
	}

	/**
	 * A request whose body was read into memory. A form's parameters are read from it too
	 * (after the query string's, as a servlet container does): the container can no
	 * longer read them from the connection. The authorization server's token endpoint
	 * gets its forms chunked when they come through the gateway.
	 */
	private static final class BufferedBody extends HttpServletRequestWrapper {

		private final byte[] body;

		private Map<String, String[]> parameters;

		BufferedBody(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public Map<String, String[]> getParameterMap() {
			if (this.parameters == null) {
				this.parameters = Collections.unmodifiableMap(parameters());
			}
			return this.parameters;
		}

		@Override
		public String getParameter(String name) {
			String[] values = getParameterMap().get(name);
			return (values != null && values.length > 0) ? values[0] : null;
		}

		@Override
		public Enumeration<String> getParameterNames() {
			return Collections.enumeration(getParameterMap().keySet());
		}

		@Override
		public String[] getParameterValues(String name) {
			return getParameterMap().get(name);
		}

		private Map<String, String[]> parameters() {
			Map<String, List<String>> all = new LinkedHashMap<>();
			super.getParameterMap().forEach((name, values) -> all.computeIfAbsent(name, (n) -> new ArrayList<>())
				.addAll(Arrays.asList(values)));
			String type = getContentType();
			if (type != null && MediaType.APPLICATION_FORM_URLENCODED.includes(MediaType.parseMediaType(type))) {
				String encoding = getCharacterEncoding();
				Charset charset = (encoding != null) ? Charset.forName(encoding) : StandardCharsets.UTF_8;
				for (String pair : new String(this.body, StandardCharsets.ISO_8859_1).split("&")) {
					if (pair.isEmpty()) {
						continue;
					}
					int equals = pair.indexOf('=');
					try {
						String name = URLDecoder.decode((equals < 0) ? pair : pair.substring(0, equals), charset);
						String value = (equals < 0) ? "" : URLDecoder.decode(pair.substring(equals + 1), charset);
						all.computeIfAbsent(name, (n) -> new ArrayList<>()).add(value);
					}
					catch (IllegalArgumentException ex) {
						// A malformed escape: skipped, as the container skips it.
					}
				}
			}
			Map<String, String[]> result = new LinkedHashMap<>();
			all.forEach((name, values) -> result.put(name, values.toArray(String[]::new)));
			return result;
		}

		@Override
		public int getContentLength() {
			return this.body.length;
		}

		@Override
		public long getContentLengthLong() {
			return this.body.length;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(this.body);
			return new ServletInputStream() {

				@Override
				public int read() {
					return in.read();
				}

				@Override
				public int read(byte[] b, int off, int len) {
					return in.read(b, off, len);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException("The body has been read already");
				}

			};
		}

		@Override
		public BufferedReader getReader() {
			String encoding = getCharacterEncoding();
			Charset charset = (encoding != null) ? Charset.forName(encoding) : StandardCharsets.UTF_8;
			return new BufferedReader(new InputStreamReader(getInputStream(), charset));
		}

	}

}
