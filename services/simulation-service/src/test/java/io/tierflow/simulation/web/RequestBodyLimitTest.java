package io.tierflow.simulation.web;

import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RequestBodyLimitTest {

	private final RequestBodyLimit filter = new RequestBodyLimit(new RequestLimits(DataSize.ofKilobytes(1)));

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
	void passesABodyOfTheLimitsSizeOn() throws Exception {
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(post(new byte[1024]), new MockHttpServletResponse(), chain);
		assertThat(chain.getRequest()).isNotNull();
	}

	@Test
	void refusesLimitsThatCannotWork() {
		assertThatIllegalArgumentException().isThrownBy(() -> new RequestLimits(DataSize.ofBytes(10)));
		assertThatIllegalArgumentException().isThrownBy(() -> new RequestLimits(DataSize.ofGigabytes(1)));
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
