package io.tierflow.tenancy.web;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service's request body limit: a declared length over it refused unread, a chunked
 * body refused once past it or passed on intact, exempt streamed endpoints untouched.
 */
class RequestBodyLimitTest {

	private final RequestBodyLimit filter = new RequestBodyLimit(1024, "tierflow.test.requests.max-body-size",
			Set.of("POST /api/v1/files"));

	@Test
	void refusesADeclaredLengthOverTheLimitUnread() throws Exception {
		MockHttpServletRequest request = post(new byte[2048]);
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(request, response, chain);
		assertThat(response.getStatus()).isEqualTo(413);
		assertThat(response.getContentType()).startsWith("application/problem+json");
		assertThat(response.getContentAsString()).contains("at most 1024 bytes").contains("maxBodySize");
		assertThat(chain.getRequest()).isNull();
	}

	@Test
	void refusesAChunkedBodyOnceItGoesBeyondTheLimit() throws Exception {
		MockHttpServletRequest request = chunked(new byte[1025]);
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(request, response, chain);
		assertThat(response.getStatus()).isEqualTo(413);
		assertThat(chain.getRequest()).isNull();
	}

	@Test
	void passesAChunkedBodyWithinTheLimitOn() throws Exception {
		byte[] body = "{\"name\":\"é\"}".getBytes(StandardCharsets.UTF_8);
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(chunked(body), new MockHttpServletResponse(), chain);
		HttpServletRequest passed = (HttpServletRequest) chain.getRequest();
		assertThat(passed.getInputStream().readAllBytes()).isEqualTo(body);
		assertThat(passed.getContentLengthLong()).isEqualTo(body.length);
	}

	@Test
	void aChunkedFormsParametersAreReadFromTheBufferedBody() throws Exception {
		MockHttpServletRequest request = chunked(
				"grant_type=client_credentials&scope=a+b&x=%C3%A9%26&bad=%zz&flag".getBytes(StandardCharsets.UTF_8));
		request.setContentType("application/x-www-form-urlencoded");
		request.setQueryString("q=1");
		request.addParameter("q", "1");
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(request, new MockHttpServletResponse(), chain);
		HttpServletRequest passed = (HttpServletRequest) chain.getRequest();
		assertThat(passed.getParameter("grant_type")).isEqualTo("client_credentials");
		assertThat(passed.getParameter("scope")).isEqualTo("a b");
		assertThat(passed.getParameter("x")).isEqualTo("é&");
		assertThat(passed.getParameter("flag")).isEmpty();
		assertThat(passed.getParameter("bad")).isNull();
		assertThat(java.util.Collections.list(passed.getParameterNames())).containsExactly("q", "grant_type", "scope",
				"x", "flag");
	}

	@Test
	void passesABodyOfTheLimitsSizeOn() throws Exception {
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(post(new byte[1024]), new MockHttpServletResponse(), chain);
		assertThat(chain.getRequest()).isNotNull();
	}

	@Test
	void namesTheLimitAndItsProperty() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.filter.doFilter(post(new byte[2048]), response, new MockFilterChain());
		assertThat(response.getContentAsString()).contains("tierflow.test.requests.max-body-size");
	}

	@Test
	void leavesAnExemptStreamedEndpointAlone() throws Exception {
		MockHttpServletRequest upload = new MockHttpServletRequest("POST", "/api/v1/files");
		upload.setContent(new byte[4096]);
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(upload, new MockHttpServletResponse(), chain);
		assertThat(chain.getRequest()).isSameAs(upload);
		MockHttpServletRequest other = new MockHttpServletRequest("PUT", "/api/v1/files");
		other.setContent(new byte[4096]);
		MockHttpServletResponse refused = new MockHttpServletResponse();
		this.filter.doFilter(other, refused, new MockFilterChain());
		assertThat(refused.getStatus()).isEqualTo(413);
	}

	private static MockHttpServletRequest post(byte[] body) {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models");
		request.setContentType("application/json");
		request.setContent(body);
		return request;
	}

	/** A body without a declared length, as a chunked request has. */
	private static MockHttpServletRequest chunked(byte[] body) {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models") {

			@Override
			public long getContentLengthLong() {
				return -1;
			}

			@Override
			public int getContentLength() {
				return -1;
			}

		};
		request.setContentType("application/json");
		request.setContent(body);
		request.addHeader("Transfer-Encoding", "chunked");
		return request;
	}

}
