package io.tierflow.tenant.archive;

import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;

import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.Audited;
import io.tierflow.tenant.tenant.Plan;
import io.tierflow.tenant.tenant.Tenant;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Valid;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/**
 * Imports of tenants, for system admins: from a COMPLETED export of this suite (JSON,
 * {@code exportId}) or an uploaded archive (multipart/form-data, the archive in the part
 * {@code archive}, and the fields {@code name}, {@code slug}, {@code plan},
 * {@code region}, {@code keepId}). 202 with the tenant, IMPORTING, and the import's
 * address; 422 naming the service and the table when the archive is damaged, and nothing
 * is created.
 */
@RestController
@RequestMapping("/api/v1/tenants/imports")
class ImportController {

	private final TenantImports imports;

	private final Validator validator;

	ImportController(TenantImports imports, Validator validator) {
		this.imports = imports;
		this.validator = validator;
	}

	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_IMPORT, target = "import")
	ResponseEntity<Tenant> fromExport(@Valid @RequestBody ImportRequest body, Authentication auth)
			throws InvalidArchiveException {
		if (body.exportId() == null) {
			throw badRequest(
					"exportId is required: the export to import (or upload an archive as" + " multipart/form-data)");
		}
		return accepted(this.imports.fromExport(body.exportId(), body.tenant(), auth.getName()));
	}

	/**
	 * The upload is read here, after the token was checked, into the import area, and
	 * refused (413) as soon as it passes {@code tierflow.tenants.max-import-size}.
	 */
	@PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	@PreAuthorize("hasAuthority('tenants:admin')")
	@Audited(action = AuditActions.TENANT_IMPORT, target = "import")
	ResponseEntity<Tenant> fromUpload(MultipartHttpServletRequest request, Authentication auth)
			throws InvalidArchiveException, IOException {
		MultipartFile archive = request.getFile("archive");
		if (archive == null || archive.isEmpty()) {
			throw badRequest("The part 'archive' with the archive to import is required");
		}
		ImportRequest fields = new ImportRequest(null, request.getParameter("name"), request.getParameter("slug"),
				plan(request.getParameter("plan")), request.getParameter("region"),
				flag(request.getParameter("keepId")));
		Set<ConstraintViolation<ImportRequest>> violations = this.validator.validate(fields);
		if (!violations.isEmpty()) {
			throw new ConstraintViolationException(violations);
		}
		return accepted(
				this.imports.fromUpload((file) -> archive.transferTo(file.toFile()), fields.tenant(), auth.getName()));
	}

	@GetMapping("/{importId}")
	@PreAuthorize("hasAuthority('tenants:admin')")
	TenantImport get(@PathVariable UUID importId) {
		return this.imports.get(importId);
	}

	@ExceptionHandler(InvalidArchiveException.class)
	ProblemDetail invalidArchive(InvalidArchiveException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, ex.getMessage());
		problem.setTitle("Invalid archive");
		problem.setProperty("service", ex.service());
		problem.setProperty("table", ex.table());
		return problem;
	}

	@ExceptionHandler(MaxUploadSizeExceededException.class)
	ProblemDetail tooLarge(MaxUploadSizeExceededException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
				"The archive is larger than the largest import (tierflow.tenants.max-import-size)");
		problem.setTitle("Archive too large");
		return problem;
	}

	@ExceptionHandler(MultipartException.class)
	ProblemDetail unreadableUpload(MultipartException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
				"The request is not a readable multipart/form-data upload");
		problem.setTitle("Invalid request");
		return problem;
	}

	private static ResponseEntity<Tenant> accepted(TenantImports.Started started) {
		return ResponseEntity.accepted()
			.location(URI.create("/api/v1/tenants/imports/" + started.importId()))
			.body(started.tenant());
	}

	private static Plan plan(String value) {
		if (value == null) {
			return null;
		}
		try {
			return Plan.valueOf(value);
		}
		catch (IllegalArgumentException ex) {
			throw badRequest("plan must be one of " + Arrays.toString(Plan.values()));
		}
	}

	private static boolean flag(String value) {
		if (value == null || value.equals("false")) {
			return false;
		}
		if (value.equals("true")) {
			return true;
		}
		throw badRequest("keepId must be true or false");
	}

	private static ErrorResponseException badRequest(String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
		problem.setTitle("Invalid request");
		return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
	}

	/**
	 * What the imported tenant is to be, and for a JSON request the export to import.
	 *
	 * @param exportId a COMPLETED export of this suite; required in JSON, none with an
	 * upload
	 * @param keepId whether the tenant keeps the id of the tenant the archive was written
	 * for (when that tenant is erased, or was never here); absent is false
	 */
	record ImportRequest(UUID exportId, @NotBlank @Size(max = 200) String name,
			@NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9-]{1,62}",
					message = "must be 2-63 lower-case letters, digits or dashes") String slug,
			@NotNull Plan plan,
			@NotBlank @Pattern(regexp = "[a-z]{2,16}", message = "must be a region name like eu or us") String region,
			Boolean keepId) {

		TenantImports.NewTenant tenant() {
			return new TenantImports.NewTenant(this.name, this.slug, this.plan, this.region,
					Boolean.TRUE.equals(this.keepId));
		}

	}

}
