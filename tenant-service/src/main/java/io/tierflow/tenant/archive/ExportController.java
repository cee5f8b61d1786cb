package io.tierflow.tenant.archive;

import java.io.IOException;
import java.net.URI;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.Page;
import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.Audited;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * Exports of a tenant's data, for holders of {@code tenants:export}: system admins and
 * the tenant's own admins (its other users are refused, 403; another tenant's token finds
 * no such tenant, 404). An export runs in the background (202); its archive is downloaded
 * once it is COMPLETED, streamed from the parts on disk.
 */
@RestController
@RequestMapping("/api/v1/tenants/{id}/exports")
class ExportController {

	private static final Logger log = LoggerFactory.getLogger(ExportController.class);

	private final TenantExports exports;

	private final JsonMapper json;

	ExportController(TenantExports exports, JsonMapper json) {
		this.exports = exports;
		this.json = json;
	}

	@PostMapping
	@PreAuthorize("hasAuthority('tenants:export')")
	@Audited(action = AuditActions.TENANT_EXPORT, target = "export", tenant = "id")
	ResponseEntity<TenantExport> request(@PathVariable UUID id, Authentication auth) {
		requireVisible(id, auth);
		TenantExport export = this.exports.request(id, auth.getName());
		return ResponseEntity.accepted()
			.location(URI.create("/api/v1/tenants/" + id + "/exports/" + export.id()))
			.body(export);
	}

	/** The tenant's exports, newest first, with their progress. */
	@GetMapping
	@PreAuthorize("hasAuthority('tenants:export')")
	Page<TenantExport> list(@PathVariable UUID id, @RequestParam(defaultValue = "0") @Min(0) @Max(10_000) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(100) int size, Authentication auth) {
		requireVisible(id, auth);
		return new Page<>(this.exports.list(id, page, size), page, size);
	}

	@GetMapping("/{exportId}")
	@PreAuthorize("hasAuthority('tenants:export')")
	TenantExport get(@PathVariable UUID id, @PathVariable UUID exportId, Authentication auth) {
		requireVisible(id, auth);
		return this.exports.get(id, exportId);
	}

	/**
	 * The archive of a COMPLETED export (409 otherwise), as {@code application/zip}:
	 * {@code manifest.json}, then every service's part.
	 */
	@GetMapping("/{exportId}/archive")
	@PreAuthorize("hasAuthority('tenants:export')")
	void archive(@PathVariable UUID id, @PathVariable UUID exportId, Authentication auth, HttpServletResponse response)
			throws IOException {
		requireVisible(id, auth);
		ExportArchive archive = this.exports.archive(id, exportId);
		response.setContentType("application/zip");
		response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
				ContentDisposition.attachment()
					.filename("tierflow-tenant-" + id + "-export-" + exportId + ".zip")
					.build()
					.toString());
		try {
			archive.writeTo(response.getOutputStream(), this.json);
		}
		catch (IOException ex) {
			if (DisconnectedClientHelper.isClientDisconnectedException(ex)) {
				log.debug("Download of export {} abandoned by the client", exportId);
				return;
			}
			throw new DownloadCutShort(ex);
		}
	}

	/**
	 * Rethrown as it is, so that no handler writes a problem into a ZIP half sent: the
	 * server closes the connection instead, and the client knows the download is
	 * incomplete.
	 */
	@ExceptionHandler(DownloadCutShort.class)
	void cutShort(DownloadCutShort ex) {
		throw ex;
	}

	/**
	 * System admins see every tenant, anyone else their own; another tenant's id is not
	 * found, never forbidden.
	 */
	static void requireVisible(UUID id, Authentication auth) {
		if (!has(auth, "ROLE_SYSTEM_ADMIN") && !TenantContext.current().map(id::equals).orElse(false)) {
			throw new NotFoundException("No tenant " + id);
		}
	}

	private static boolean has(Authentication auth, String authority) {
		return auth.getAuthorities().stream().anyMatch((a) -> a.getAuthority().equals(authority));
	}

	/** A download that failed after its first bytes were sent. */
	static class DownloadCutShort extends RuntimeException {

		DownloadCutShort(IOException cause) {
			super("The archive download failed after it started: " + cause, cause);
		}

	}

}
