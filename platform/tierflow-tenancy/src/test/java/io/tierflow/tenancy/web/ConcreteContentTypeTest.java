package io.tierflow.tenancy.web;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class ConcreteContentTypeTest {

	private final ConcreteContentType filter = new ConcreteContentType();

	@ParameterizedTest
	@ValueSource(strings = { "application/*", "*/*", "*/*; q=0.5", "application/*+json" })
	void refusesAMediaRangeAsA415(String contentType) throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(post(contentType), response, chain);
		assertThat(response.getStatus()).isEqualTo(415);
		assertThat(response.getContentType()).startsWith("application/problem+json");
		assertThat(response.getContentAsString()).contains("not a range");
		assertThat(chain.getRequest()).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "application/json", "application/json; charset=utf-8", "multipart/form-data; boundary=x",
			"json", "" })
	void passesAnyOtherTypeOnForSpringMvcToJudge(String contentType) throws Exception {
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(post(contentType), new MockHttpServletResponse(), chain);
		assertThat(chain.getRequest()).isNotNull();
	}

	private static MockHttpServletRequest post(String contentType) {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/x");
		request.setContentType(contentType);
		request.setContent("{}".getBytes());
		return request;
	}

}
