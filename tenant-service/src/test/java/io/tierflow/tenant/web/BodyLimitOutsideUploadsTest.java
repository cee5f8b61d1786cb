package io.tierflow.tenant.web;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class BodyLimitOutsideUploadsTest {

	private final BodyLimitOutsideUploads filter = new BodyLimitOutsideUploads(1024);

	@Test
	void leavesAnArchiveUploadToTheImportLimit() throws Exception {
		MockHttpServletRequest request = post(BodyLimitOutsideUploads.IMPORTS, "multipart/form-data; boundary=x");
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(request, new MockHttpServletResponse(), chain);
		assertThat(chain.getRequest()).isSameAs(request);
	}

	@Test
	void limitsAJsonImportAsAnyOtherRequest() throws Exception {
		assertRefused(post(BodyLimitOutsideUploads.IMPORTS, "application/json"));
	}

	@Test
	void limitsAMultipartBodyAnywhereElse() throws Exception {
		assertRefused(post("/api/v1/tenants", "multipart/form-data; boundary=x"));
	}

	private void assertRefused(MockHttpServletRequest request) throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(request, response, chain);
		assertThat(response.getStatus()).isEqualTo(413);
		assertThat(response.getContentAsString()).contains("tierflow.tenants.requests.max-body-size");
		assertThat(chain.getRequest()).isNull();
	}

	private static MockHttpServletRequest post(String path, String contentType) {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", path);
		request.setContentType(contentType);
		request.setContent(new byte[4096]);
		return request;
	}

}
