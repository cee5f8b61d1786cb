package io.tierflow.file.blob;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.UnknownTenantException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link BlobStore} behind the S3 API: blob {@code <file id>} of tenant
 * {@code <tenant id>} is object {@code <tenant id>/<file id>} in the bucket of the
 * tenant's data-residency region ({@link S3Settings#bucket}), the region its placement
 * names, so a tenant's bytes stay where its rows are. Both key segments are UUIDs the
 * service made or verified.
 * <p>
 * An object appears whole or not at all: content of up to {@code part-size} bytes is one
 * {@code PutObject}, larger content a multipart upload whose parts are only an object
 * once it completes. An upload in progress is this store's unfinished write; a failed one
 * is aborted, and one left by a crash is aborted by the orphan sweep
 * ({@link #deleteUnfinishedWritesBefore}). Content is read from its stream one part at a
 * time into one buffer, so memory per upload is bounded by the part size whatever the
 * file's size; the buffer is handed to the SDK without a copy and re-read on a retry.
 * Downloads stream from the response.
 * <p>
 * A tenant with no placement here (erased, or never placed) has no region: what looks at
 * or removes its blobs then covers every region's bucket, which is how blobs an erase
 * raced with are found; it cannot write. The placement is read from the control database
 * on each call, not cached: a tenant erased and imported again may come back in another
 * region. When the endpoint is out of reach or fails on its side, calls throw
 * {@link BlobStoreUnavailableException}.
 */
public class S3BlobStore implements BlobStore, AutoCloseable {

	/** The first read of an upload: most files are small, and need no bigger buffer. */
	private static final int FIRST_READ = 256 * 1024;

	private final S3Client s3;

	private final S3Endpoint endpoint;

	private final Function<UUID, Optional<String>> regionOf;

	private final int partSize;

	/**
	 * @param endpoint the S3 endpoint and its buckets, closed with this store
	 * @param regionOf the region of a tenant's placement, empty when it has none
	 */
	public S3BlobStore(S3Endpoint endpoint, Function<UUID, Optional<String>> regionOf) {
		this.s3 = endpoint.client();
		this.endpoint = endpoint;
		this.regionOf = regionOf;
		this.partSize = Math.toIntExact(endpoint.settings().partSize().toBytes());
	}

	@Override
	public long put(UUID id, InputStream content) throws IOException {
		UUID tenant = TenantContext.require();
		String bucket = this.regionOf.apply(tenant)
			.map(this.endpoint::bucket)
			.orElseThrow(() -> new UnknownTenantException(tenant));
		String key = key(tenant, id);
		// Failures reading the content are rethrown as they are: they are the caller's
		// (a quota refusal, a client gone), and the SDK never reads the stream.
		byte[] buffer = new byte[Math.min(FIRST_READ, this.partSize)];
		int n = content.readNBytes(buffer, 0, buffer.length);
		if (n == buffer.length && n < this.partSize) {
			buffer = Arrays.copyOf(buffer, this.partSize);
			n += content.readNBytes(buffer, n, this.partSize - n);
		}
		if (n < this.partSize) {
			byte[] whole = buffer;
			int length = n;
			S3Endpoint.call("Cannot store blob " + key,
					() -> this.s3.putObject((b) -> b.bucket(bucket).key(key), RequestBody.fromContentProvider(
							() -> new ByteArrayInputStream(whole, 0, length), length, "application/octet-stream")));
			return n;
		}
		return putInParts(bucket, key, buffer, n, content);
	}

	private long putInParts(String bucket, String key, byte[] buffer, int first, InputStream content)
			throws IOException {
		String uploadId = S3Endpoint.call("Cannot start storing blob " + key,
				() -> this.s3.createMultipartUpload((b) -> b.bucket(bucket).key(key)).uploadId());
		try {
			List<CompletedPart> parts = new ArrayList<>();
			long total = 0;
			for (int n = first; n > 0; n = content.readNBytes(buffer, 0, this.partSize)) {
				int number = parts.size() + 1;
				int length = n;
				String etag = S3Endpoint.call("Cannot store part " + number + " of blob " + key,
						() -> this.s3
							.uploadPart((b) -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number),
									RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length),
											length, "application/octet-stream"))
							.eTag());
				parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
				total += n;
			}
			S3Endpoint.call("Cannot complete blob " + key, () -> this.s3.completeMultipartUpload(
					(b) -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload((u) -> u.parts(parts))));
			return total;
		}
		catch (IOException | RuntimeException | Error ex) {
			abort(bucket, key, uploadId, ex);
			throw ex;
		}
	}

	private void abort(String bucket, String key, String uploadId, Throwable cause) {
		try {
			S3Endpoint.call("Cannot abort the upload of blob " + key,
					() -> this.s3.abortMultipartUpload((b) -> b.bucket(bucket).key(key).uploadId(uploadId)));
		}
		catch (IOException ex) {
			// Left as an unfinished write: the orphan sweep aborts it.
			cause.addSuppressed(ex);
		}
	}

	@Override
	public InputStream open(UUID id) throws IOException {
		UUID tenant = TenantContext.require();
		String key = key(tenant, id);
		for (String bucket : homeBuckets(tenant)) {
			ResponseInputStream<GetObjectResponse> object = S3Endpoint.call("Cannot read blob " + key, () -> {
				try {
					return this.s3.getObject((b) -> b.bucket(bucket).key(key));
				}
				catch (NoSuchKeyException ex) {
					return null;
				}
			});
			if (object != null) {
				return new S3ObjectContent(object);
			}
		}
		throw new NoSuchFileException(key);
	}

	@Override
	public boolean exists(UUID id) {
		UUID tenant = TenantContext.require();
		String key = key(tenant, id);
		for (String bucket : homeBuckets(tenant)) {
			try {
				this.s3.headObject((b) -> b.bucket(bucket).key(key));
				return true;
			}
			catch (NoSuchKeyException ex) {
				// not in this bucket
			}
		}
		return false;
	}

	@Override
	public void delete(UUID id) throws IOException {
		UUID tenant = TenantContext.require();
		String key = key(tenant, id);
		for (String bucket : homeBuckets(tenant)) {
			S3Endpoint.call("Cannot delete blob " + key, () -> this.s3.deleteObject((b) -> b.bucket(bucket).key(key)));
		}
	}

	@Override
	public List<UUID> blobs() throws IOException {
		TreeSet<UUID> blobs = new TreeSet<>();
		for (Stored object : objects(TenantContext.require())) {
			blobs.add(object.id());
		}
		return List.copyOf(blobs);
	}

	@Override
	public List<UUID> tenants() throws IOException {
		TreeSet<UUID> tenants = new TreeSet<>();
		for (String bucket : this.endpoint.buckets()) {
			S3Endpoint.call("Cannot list bucket " + bucket, () -> {
				for (CommonPrefix prefix : this.s3.listObjectsV2Paginator((b) -> b.bucket(bucket).delimiter("/"))
					.commonPrefixes()) {
					tenantOf(prefix.prefix()).ifPresent(tenants::add);
				}
				// Uploads in progress are few: listed whole, as not every S3-compatible
				// server groups them by a delimiter (S3Proxy answers 501).
				for (MultipartUpload upload : this.s3.listMultipartUploadsPaginator((b) -> b.bucket(bucket))
					.uploads()) {
					String key = upload.key();
					int slash = key.indexOf('/');
					if (slash > 0) {
						tenantOf(key.substring(0, slash + 1)).ifPresent(tenants::add);
					}
				}
				return null;
			});
		}
		return List.copyOf(tenants);
	}

	@Override
	public List<UUID> blobsWrittenBefore(Instant cutoff) throws IOException {
		List<UUID> blobs = new ArrayList<>();
		for (Stored object : objects(TenantContext.require())) {
			if (object.lastModified().isBefore(cutoff)) {
				blobs.add(object.id());
			}
		}
		return blobs;
	}

	@Override
	public int deleteUnfinishedWritesBefore(Instant cutoff) throws IOException {
		int aborted = 0;
		for (Unfinished upload : unfinished(TenantContext.require())) {
			if (upload.upload().initiated().isBefore(cutoff) && abort(upload)) {
				aborted++;
			}
		}
		return aborted;
	}

	@Override
	public BlobUsage measure() throws IOException {
		UUID tenant = TenantContext.require();
		long blobs = 0;
		long bytes = 0;
		for (Stored object : objects(tenant)) {
			blobs++;
			bytes += object.size();
		}
		for (Unfinished upload : unfinished(tenant)) {
			blobs++;
			bytes += partBytes(upload);
		}
		return new BlobUsage(blobs, bytes);
	}

	@Override
	public BlobUsage deleteAll() throws IOException {
		UUID tenant = TenantContext.require();
		long blobs = 0;
		long bytes = 0;
		// One request per object: DeleteObjects needs a checksum header that not every
		// S3-compatible server takes (S3Proxy answers 501), and an erase is rare.
		for (Stored object : objects(tenant)) {
			S3Endpoint.call("Cannot delete blob " + object.key(),
					() -> this.s3.deleteObject((b) -> b.bucket(object.bucket()).key(object.key())));
			blobs++;
			bytes += object.size();
		}
		for (Unfinished upload : unfinished(tenant)) {
			long size = partBytes(upload);
			if (abort(upload)) {
				blobs++;
				bytes += size;
			}
		}
		// No directory to remove: an upload that raced the erase leaves an object of a
		// tenant without a placement, which the orphan sweep finds in every bucket.
		return new BlobUsage(blobs, bytes);
	}

	@Override
	public void close() {
		this.endpoint.close();
	}

	private boolean abort(Unfinished upload) throws IOException {
		MultipartUpload u = upload.upload();
		return S3Endpoint.call("Cannot abort the upload of " + u.key(), () -> {
			try {
				this.s3.abortMultipartUpload((b) -> b.bucket(upload.bucket()).key(u.key()).uploadId(u.uploadId()));
				return true;
			}
			catch (NoSuchUploadException ex) {
				// Completed or aborted meanwhile.
				return false;
			}
		});
	}

	private long partBytes(Unfinished upload) throws IOException {
		MultipartUpload u = upload.upload();
		return S3Endpoint.call("Cannot list the parts of " + u.key(), () -> {
			try {
				long bytes = 0;
				for (Part part : this.s3
					.listPartsPaginator((b) -> b.bucket(upload.bucket()).key(u.key()).uploadId(u.uploadId()))
					.parts()) {
					bytes += part.size();
				}
				return bytes;
			}
			catch (NoSuchUploadException ex) {
				return 0L;
			}
		});
	}

	/** The tenant's objects that are blobs (named by a canonical file id). */
	private List<Stored> objects(UUID tenant) throws IOException {
		String prefix = tenant + "/";
		List<Stored> objects = new ArrayList<>();
		for (String bucket : homeBuckets(tenant)) {
			S3Endpoint.call("Cannot list the blobs of tenant " + tenant + " in " + bucket, () -> {
				for (S3Object object : this.s3.listObjectsV2Paginator((b) -> b.bucket(bucket).prefix(prefix))
					.contents()) {
					uuid(object.key().substring(prefix.length())).ifPresent((id) -> objects
						.add(new Stored(bucket, object.key(), id, object.size(), object.lastModified())));
				}
				return null;
			});
		}
		return objects;
	}

	/** The tenant's multipart uploads in progress. */
	private List<Unfinished> unfinished(UUID tenant) throws IOException {
		String prefix = tenant + "/";
		List<Unfinished> uploads = new ArrayList<>();
		for (String bucket : homeBuckets(tenant)) {
			S3Endpoint.call("Cannot list the unfinished writes of tenant " + tenant + " in " + bucket, () -> {
				for (MultipartUpload upload : this.s3
					.listMultipartUploadsPaginator((b) -> b.bucket(bucket).prefix(prefix))
					.uploads()) {
					uploads.add(new Unfinished(bucket, upload));
				}
				return null;
			});
		}
		return uploads;
	}

	/**
	 * The bucket of the tenant's region; every bucket for a tenant without a placement.
	 */
	private List<String> homeBuckets(UUID tenant) {
		return this.regionOf.apply(tenant)
			.map((region) -> List.of(this.endpoint.bucket(region)))
			.orElse(this.endpoint.buckets());
	}

	private static String key(UUID tenant, UUID id) {
		return tenant + "/" + id;
	}

	private static Optional<UUID> tenantOf(String prefix) {
		return prefix.endsWith("/") ? uuid(prefix.substring(0, prefix.length() - 1)) : Optional.empty();
	}

	private static Optional<UUID> uuid(String name) {
		try {
			UUID id = UUID.fromString(name);
			// Only canonical names: UUID.fromString accepts variants such as "1-1-1-1-1".
			return id.toString().equals(name) ? Optional.of(id) : Optional.empty();
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

	private record Stored(String bucket, String key, UUID id, long size, Instant lastModified) {
	}

	private record Unfinished(String bucket, MultipartUpload upload) {
	}

}
