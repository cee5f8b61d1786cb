package io.tierflow.tenant.web;

import java.util.Locale;
import java.util.Set;

import io.tierflow.tenancy.web.RequestBodyLimit;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The platform's body limit for every request but an archive upload to the import
 * endpoint (multipart/form-data), which is written to disk as it arrives and bounded by
 * {@code tierflow.tenants.max-import-size}. A JSON import to the same address is limited
 * as any other request, so the exemption is by content type as well as by path, which the
 * platform filter's method-and-path exemptions cannot say.
 */
class BodyLimitOutsideUploads extends RequestBodyLimit {

	/** Where archives are uploaded (ImportController). */
	static final String IMPORTS = "/api/v1/tenants/imports";

	BodyLimitOutsideUploads(long maxBytes) {
		super(maxBytes, "tierflow.tenants.requests.max-body-size", Set.of());
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		String contentType = request.getContentType();
		return "POST".equals(request.getMethod())
				&& IMPORTS.equals(request.getRequestURI().substring(request.getContextPath().length()))
				&& contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
	}

}
