package io.tierflow.file.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.tierflow.file.blob.BlobStoreUnavailableException;
import io.tierflow.file.storage.TenantFiles.Allowance;
import io.tierflow.file.storage.TenantFiles.StagedBlob;
import io.tierflow.file.storage.UploadAdmission.UploadSlot;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.SchemaProperty;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.tierflow.tenancy.web.Page;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.core.FileUploadSizeException;
import org.apache.commons.fileupload2.jakarta.servlet6.JakartaServletFileUpload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.InputStreamResource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

/**
 * The tenant's files. Uploads are {@code multipart/form-data} with a part {@code file}
 * and optionally a field {@code folderId}, and are streamed: Spring's multipart
 * resolution is off in this service ({@code spring.servlet.multipart.enabled=false}), so
 * the request body reaches this controller unread, and commons-fileupload's streaming
 * parser hands the file part over as a stream that goes straight into the blob store. No
 * part is buffered in memory or spooled to a temporary file first, and reading stops at
 * the tenant's remaining quota.
 */
@RestController
@RequestMapping("/api/v1/files")
class FileController {

	static final String FILE_PART = "file";

	static final String FOLDER_FIELD = "folderId";

	/** Parts beyond the file and the folder field are skipped; this many at most. */
	private static final int MAX_PARTS = 16;

	private static final int MAX_FIELD_BYTES = 100;

	private static final int MAX_NAME_LENGTH = 255;

	/**
	 * Room for part headers and boundaries beyond the largest file a request may carry.
	 */
	private static final long MULTIPART_OVERHEAD = 1024 * 1024;

	/**
	 * When a client refused for too many uploads in flight, or while the blob store is
	 * out of reach, may try again: uploads take seconds, so sooner would most likely be
	 * refused again.
	 */
	private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Logger log = LoggerFactory.getLogger(FileController.class);

	private final TenantFiles files;

	FileController(TenantFiles files) {
		this.files = files;
	}

	@PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	@PreAuthorize("hasAuthority('files:write')")
	@RequestBody(required = true,
			content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
					schema = @Schema(type = "object", requiredProperties = FILE_PART),
					schemaProperties = {
							@SchemaProperty(name = FILE_PART, schema = @Schema(type = "string", format = "binary")),
							@SchemaProperty(name = FOLDER_FIELD, schema = @Schema(type = "string", format = "uuid")) }))
	ResponseEntity<StoredFile> upload(HttpServletRequest request, Authentication auth) throws IOException {
		// A slot, the tenant checked (unknown, suspended) and the allowance reserved, all
		// before a byte of the body is read; slot and reservation go back when the
		// request ends, however it ends.
		try (UploadSlot slot = this.files.admit()) {
			Allowance allowance = this.files.allowance(slot, request.getContentLengthLong());
			return receive(request, auth, allowance);
		}
	}

	private ResponseEntity<StoredFile> receive(HttpServletRequest request, Authentication auth, Allowance allowance)
			throws IOException {
		JakartaServletFileUpload<DiskFileItem, DiskFileItemFactory> parser = new JakartaServletFileUpload<>();
		parser.setHeaderCharset(StandardCharsets.UTF_8);
		parser.setMaxSize(allowance.maxFileSize() + MULTIPART_OVERHEAD);
		StagedBlob staged = null;
		UUID folderId = null;
		try {
			FileItemInputIterator parts = reading(() -> parser.getItemIterator(request));
			int seen = 0;
			while (reading(parts::hasNext)) {
				FileItemInput part = reading(parts::next);
				if (++seen > MAX_PARTS) {
					throw new InvalidUploadException("An upload has at most " + MAX_PARTS + " parts");
				}
				if (FOLDER_FIELD.equals(part.getFieldName())) {
					if (folderId != null) {
						throw new InvalidUploadException("Only one " + FOLDER_FIELD + " is allowed");
					}
					folderId = folderId(part);
					if (folderId != null && staged == null) {
						// Sent before the file: refused before its bytes flow.
						this.files.requireFolder(folderId);
					}
				}
				else if (FILE_PART.equals(part.getFieldName())) {
					if (staged != null) {
						throw new InvalidUploadException("Only one part named '" + FILE_PART + "' is allowed");
					}
					staged = this.files.stage(fileName(part), contentType(part), reading(part::getInputStream),
							allowance);
				}
				// Any other part is read past by the parser and dropped.
			}
			if (staged == null) {
				throw new InvalidUploadException("The request has no part named '" + FILE_PART + "'");
			}
			StagedBlob complete = staged;
			staged = null; // commit cleans up after itself
			StoredFile file = this.files.commit(complete, folderId, auth.getName());
			return ResponseEntity.created(URI.create("/api/v1/files/" + file.id())).body(file);
		}
		finally {
			if (staged != null) {
				this.files.discard(staged);
			}
		}
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasAuthority('files:read')")
	StoredFile get(@PathVariable UUID id) {
		return this.files.find(id);
	}

	@GetMapping("/{id}/content")
	@PreAuthorize("hasAuthority('files:read')")
	ResponseEntity<InputStreamResource> content(@PathVariable UUID id, WebRequest request) throws IOException {
		StoredFile file = this.files.find(id);
		String etag = "\"" + file.sha256() + "\"";
		if (request.checkNotModified(etag)) {
			return null; // 304, answered by checkNotModified
		}
		InputStream content = this.files.open(file);
		// Written to the response in small chunks by ResourceHttpMessageConverter, which
		// closes the stream at the end.
		return ResponseEntity.ok()
			.eTag(etag)
			.contentType(mediaType(file.contentType()))
			.contentLength(file.size())
			.header(HttpHeaders.CONTENT_DISPOSITION,
					ContentDisposition.attachment().filename(file.name(), StandardCharsets.UTF_8).build().toString())
			.body(new InputStreamResource(content));
	}

	@GetMapping
	@PreAuthorize("hasAuthority('files:read')")
	Page<StoredFile> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size,
			@RequestParam(required = false) UUID folderId) {
		return new Page<>(this.files.page(folderId, size, (long) page * size), page, size);
	}

	@DeleteMapping("/{id}")
	@PreAuthorize("hasAuthority('files:delete')")
	ResponseEntity<Void> delete(@PathVariable UUID id, Authentication auth) {
		this.files.delete(id, auth.getName(), isAdmin(auth));
		return ResponseEntity.noContent().build();
	}

	@GetMapping("/usage")
	@PreAuthorize("hasAuthority('files:read')")
	StorageUsage usage() {
		return this.files.usage();
	}

	@ExceptionHandler(StorageQuotaExceededException.class)
	void quotaExceeded(StorageQuotaExceededException ex, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		refuseUpload(request, response, "Storage quota exceeded", ex.getMessage(),
				Map.of("quota", ex.tier().name(), "used", ex.used(), "reserved", ex.reserved(), "limit", ex.limit()));
	}

	@ExceptionHandler(FileTooLargeException.class)
	void tooLarge(FileTooLargeException ex, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		refuseUpload(request, response, "File too large", ex.getMessage(), Map.of("maxFileSize", ex.maxFileSize()));
	}

	@ExceptionHandler(FileUploadSizeException.class)
	void requestTooLarge(FileUploadSizeException ex, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		refuseUpload(request, response, "Request too large",
				"The upload request may have at most " + ex.getPermitted() + " bytes",
				Map.of("maxRequestSize", ex.getPermitted()));
	}

	@ExceptionHandler(TooManyUploadsException.class)
	void tooManyUploads(TooManyUploadsException ex, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(RETRY_AFTER.toSeconds()));
		refuse(request, response, HttpStatus.TOO_MANY_REQUESTS, "Too many uploads", ex.getMessage(),
				Map.of("maxConcurrentUploads", ex.limit()));
	}

	/**
	 * The blob store is out of reach: nothing was stored (an upload's metadata commits
	 * only after its blob is whole) and the client may try again. The body of an upload
	 * may be unread, so the answer is written like a refused upload's.
	 */
	@ExceptionHandler(BlobStoreUnavailableException.class)
	void blobStoreUnavailable(BlobStoreUnavailableException ex, HttpServletRequest request,
			HttpServletResponse response) throws IOException {
		log.warn("{} {}: {}", request.getMethod(), request.getRequestURI(), ex.getMessage());
		response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(RETRY_AFTER.toSeconds()));
		refuse(request, response, HttpStatus.SERVICE_UNAVAILABLE, "File store unavailable",
				"The file store cannot be reached; try again later", Map.of());
	}

	private static void refuseUpload(HttpServletRequest request, HttpServletResponse response, String title,
			String detail, Map<String, Object> properties) throws IOException {
		refuse(request, response, HttpStatus.CONTENT_TOO_LARGE, title, detail, properties);
	}

	/**
	 * Answers while the client may still be sending: the refused rest of the body is
	 * never read (the container discards a little of it, then closes the connection). The
	 * problem goes out whole and at once — with its length, flushed — so the client can
	 * read it before the connection closes.
	 */
	private static void refuse(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
			String title, String detail, Map<String, Object> properties) throws IOException {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", "about:blank");
		problem.put("title", title);
		problem.put("status", status.value());
		problem.put("detail", detail);
		problem.put("instance", request.getRequestURI());
		problem.putAll(properties);
		byte[] body = JSON.writeValueAsBytes(problem);
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.setContentLength(body.length);
		response.setHeader(HttpHeaders.CONNECTION, "close");
		response.getOutputStream().write(body);
		response.flushBuffer();
	}

	@ExceptionHandler({ InvalidUploadException.class, FileUploadException.class, UploadReadException.class })
	ProblemDetail invalidUpload(Exception ex) {
		return problem(HttpStatus.BAD_REQUEST, "Invalid upload", ex.getMessage());
	}

	private static String fileName(FileItemInput part) {
		String name;
		try {
			name = part.getName();
		}
		catch (RuntimeException ex) { // a NUL in the name
			throw new InvalidUploadException("The file name is not valid: " + ex.getMessage());
		}
		if (part.isFormField() || name == null) {
			throw new InvalidUploadException("The part '" + FILE_PART + "' must be a file with a file name");
		}
		// Some clients send the path the file came from: keep the last segment.
		name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).strip();
		if (name.isEmpty()) {
			throw new InvalidUploadException("The file name must not be empty");
		}
		if (name.length() > MAX_NAME_LENGTH) {
			throw new InvalidUploadException("The file name may have at most " + MAX_NAME_LENGTH + " characters");
		}
		if (name.chars().anyMatch(Character::isISOControl)) {
			throw new InvalidUploadException("The file name must not contain control characters");
		}
		return name;
	}

	private static String contentType(FileItemInput part) {
		String declared = part.getContentType();
		if (declared == null || declared.isBlank()) {
			return MediaType.APPLICATION_OCTET_STREAM_VALUE;
		}
		MediaType type;
		try {
			type = MediaType.parseMediaType(declared);
		}
		catch (InvalidMediaTypeException ex) {
			throw new InvalidUploadException("The file's content type is not a media type: " + ex.getMessage());
		}
		if (!type.isConcrete() || declared.length() > MAX_NAME_LENGTH) {
			throw new InvalidUploadException("The file's content type must be a concrete media type");
		}
		return type.toString();
	}

	private static UUID folderId(FileItemInput part) throws IOException {
		byte[] value = reading(() -> part.getInputStream().readNBytes(MAX_FIELD_BYTES + 1));
		if (value.length > MAX_FIELD_BYTES) {
			throw new InvalidUploadException(FOLDER_FIELD + " must be a folder id (UUID)");
		}
		String text = new String(value, StandardCharsets.UTF_8).strip();
		if (text.isEmpty()) {
			return null;
		}
		try {
			return UUID.fromString(text);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidUploadException(FOLDER_FIELD + " must be a folder id (UUID)");
		}
	}

	private static MediaType mediaType(String stored) {
		try {
			return MediaType.parseMediaType(stored);
		}
		catch (InvalidMediaTypeException ex) {
			return MediaType.APPLICATION_OCTET_STREAM;
		}
	}

	/**
	 * Runs a step that reads the request body: its I/O failures are the client's (a body
	 * that ends early, a connection that went away), unlike failures to write the blob.
	 */
	private static <T> T reading(BodyRead<T> read) throws IOException {
		try {
			return read.get();
		}
		catch (FileUploadException ex) {
			throw ex;
		}
		catch (IOException ex) {
			throw new UploadReadException(ex);
		}
	}

	private static ProblemDetail problem(HttpStatus status, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setTitle(title);
		return problem;
	}

	@FunctionalInterface
	private interface BodyRead<T> {

		T get() throws IOException;

	}

	/** A tenant admin, or a system admin acting for the tenant. */
	private static boolean isAdmin(Authentication auth) {
		return auth.getAuthorities()
			.stream()
			.anyMatch((a) -> a.getAuthority().equals("ROLE_TENANT_ADMIN")
					|| a.getAuthority().equals("ROLE_SYSTEM_ADMIN"));
	}

}
