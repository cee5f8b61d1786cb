package io.tierflow.file.erasure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.tierflow.file.blob.BlobStore;
import io.tierflow.file.blob.BlobUsage;
import io.tierflow.mover.ErasureStep;
import io.tierflow.tenancy.context.TenantContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * The file-service's part of erasing a tenant beyond its rows: every blob of the tenant,
 * unfinished writes included, and its directory. The blobs are counted for the report
 * once the tenant is no longer served, so no upload adds to them afterwards; an upload
 * that was already streaming leaves at most a blob the orphan sweep removes.
 */
@Component
class BlobErasure implements ErasureStep {

	private static final Logger log = LoggerFactory.getLogger(BlobErasure.class);

	private final BlobStore blobs;

	BlobErasure(BlobStore blobs) {
		this.blobs = blobs;
	}

	@Override
	public Map<String, Long> removes(UUID tenant) {
		BlobUsage usage;
		try (TenantContext.Scope scope = TenantContext.open(tenant)) {
			usage = this.blobs.measure();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot count the blobs of tenant " + tenant, ex);
		}
		Map<String, Long> removes = new LinkedHashMap<>();
		removes.put("blobs", usage.blobs());
		removes.put("blobBytes", usage.bytes());
		return removes;
	}

	@Override
	public void erase(UUID tenant) throws IOException {
		BlobUsage removed;
		try (TenantContext.Scope scope = TenantContext.open(tenant)) {
			removed = this.blobs.deleteAll();
		}
		log.info("Tenant {}: {} blobs ({} bytes) removed", tenant, removed.blobs(), removed.bytes());
	}

}
