package io.tierflow.file.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.github.f4b6a3.uuid.UuidCreator;
import io.tierflow.events.EventTypes;
import io.tierflow.events.Topics;
import io.tierflow.events.file.FileDeleted;
import io.tierflow.events.file.FileUploaded;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.events.seats.UserSeats;
import io.tierflow.file.blob.BlobStore;
import io.tierflow.file.folder.FolderRepository;
import io.tierflow.file.storage.StorageUsageRepository.Usage;
import io.tierflow.file.storage.UploadAdmission.Reservation;
import io.tierflow.file.storage.UploadAdmission.UploadSlot;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.web.ForbiddenException;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.placement.UnknownTenantException;
import io.tierflow.tenancy.web.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The current tenant's files: bytes in the {@link BlobStore}, metadata and usage in the
 * tenant's store, events in its outbox.
 * <p>
 * Blob and metadata stay consistent by order, without a distributed transaction. An
 * upload writes the blob first (under a name no reader knows yet), then inserts the
 * metadata, updates the usage row and appends {@code file.uploaded} in one transaction;
 * if that transaction fails the blob is deleted. A deletion removes the metadata, updates
 * the usage and appends {@code file.deleted} in one transaction and deletes the blob
 * after it committed. A crash between the steps (or a blob deletion that fails) can
 * therefore leave an <em>orphan blob</em> — bytes without metadata, never counted, never
 * served — but never a metadata row without its blob. {@link OrphanBlobSweep} removes
 * orphans once they are older than any upload transaction can be.
 */
@Service
class TenantFiles {

	private static final Logger log = LoggerFactory.getLogger(TenantFiles.class);

	private final StoredFileRepository files;

	private final StorageUsageRepository usage;

	private final FolderRepository folders;

	private final BlobStore blobs;

	private final Outbox outbox;

	private final TenantProvisioner placements;

	private final FileStorageProperties properties;

	private final UserSeats seats;

	private final TransactionTemplate tx;

	private final TransactionTemplate readTx;

	private final UploadAdmission admission;

	TenantFiles(StoredFileRepository files, StorageUsageRepository usage, FolderRepository folders, BlobStore blobs,
			Outbox outbox, TenantProvisioner placements, FileStorageProperties properties,
			PlatformTransactionManager transactionManager, UserSeats seats, UploadAdmission admission) {
		this.seats = seats;
		this.admission = admission;
		this.files = files;
		this.usage = usage;
		this.folders = folders;
		this.blobs = blobs;
		this.outbox = outbox;
		this.placements = placements;
		this.properties = properties;
		this.tx = new TransactionTemplate(transactionManager);
		this.readTx = new TransactionTemplate(transactionManager);
		this.readTx.setReadOnly(true);
	}

	/**
	 * Takes one of the current tenant's upload slots, before a byte of the upload is
	 * read.
	 * @throws TooManyUploadsException when the tenant has as many uploads in flight as it
	 * may
	 */
	UploadSlot admit() {
		return this.admission.admit(TenantContext.require());
	}

	/**
	 * Reserves what an upload may write and returns it as its allowance: the quota less
	 * the usage and less what the tenant's other uploads in flight have reserved, at most
	 * a single file's maximum and at most the request's declared length. Read before any
	 * byte of the upload is; the reservation is the slot's until it is closed. The usage
	 * is read outside the upload transaction, so this bounds what is written; the upload
	 * transaction checks the quota again under the usage row's lock.
	 * @param declaredLength the request's {@code Content-Length}, or -1 when unknown
	 */
	Allowance allowance(UploadSlot slot, long declaredLength) {
		Tier tier = tier();
		long maxFileSize = this.properties.maxFileSize().toBytes();
		long wanted = (declaredLength >= 0) ? Math.min(declaredLength, maxFileSize) : maxFileSize;
		while (true) {
			long marker = slot.beforeUsageRead();
			Seated used = this.readTx.execute((s) -> new Seated(this.usage.read(), this.seats.count()));
			long quota = this.properties.quota().of(tier, used.seats());
			Reservation reserved = slot.reserve(marker, quota - used.usage().bytes(), wanted);
			if (reserved != null) {
				return new Allowance(tier, quota, used.usage().bytes(), reserved.othersReserved(), maxFileSize,
						reserved.bytes());
			}
		}
	}

	/** The current tenant's usage against its quota. */
	StorageUsage usage() {
		Tier tier = tier();
		Seated used = this.readTx.execute((s) -> new Seated(this.usage.read(), this.seats.count()));
		return new StorageUsage(tier, used.usage().bytes(), used.usage().files(), used.seats(),
				this.properties.quota().of(tier, used.seats()));
	}

	/**
	 * Checks that the current tenant has the folder.
	 * @throws NotFoundException when it has not
	 */
	void requireFolder(UUID folderId) {
		if (!this.readTx.execute((s) -> this.folders.exists(folderId))) {
			throw new NotFoundException("No folder " + folderId);
		}
	}

	/**
	 * Streams an upload's content into a new blob, reading no more than the allowance
	 * (plus one byte, to know it is exceeded). The blob is not a file yet:
	 * {@link #commit} or {@link #discard} it.
	 * @throws StorageQuotaExceededException when the content does not fit in the quota
	 * @throws FileTooLargeException when it is larger than a single file may be
	 */
	StagedBlob stage(String name, String contentType, InputStream content, Allowance allowance) throws IOException {
		UUID id = UuidCreator.getTimeOrderedEpoch();
		MeteredContent metered = new MeteredContent(content, allowance.bytes(), allowance::refusal);
		long written = this.blobs.put(id, metered);
		return new StagedBlob(id, name, contentType, written, metered.sha256(), allowance);
	}

	/**
	 * Makes a staged blob a file of the tenant: metadata, usage and {@code file.uploaded}
	 * in one transaction, the quota checked again under the usage row's lock. The blob is
	 * deleted when the transaction does not commit.
	 */
	StoredFile commit(StagedBlob staged, UUID folderId, String uploadedBy) {
		UUID tenant = TenantContext.require();
		boolean[] statementsDone = { false };
		try {
			return this.tx.execute((s) -> {
				Usage used = this.usage.lock();
				Allowance allowance = staged.allowance();
				if (used.bytes() + staged.size() > allowance.quota()) {
					throw new StorageQuotaExceededException(allowance.tier(), used.bytes(), 0, allowance.quota());
				}
				if (folderId != null && !this.folders.exists(folderId)) {
					throw new NotFoundException("No folder " + folderId);
				}
				StoredFile file = this.files.insert(staged.id(), staged.name(), staged.contentType(), staged.size(),
						staged.sha256(), folderId, uploadedBy);
				this.usage.add(staged.size(), 1);
				this.outbox.append(Topics.FILE, EventTypes.FILE_UPLOADED, tenant, file.id().toString(),
						new FileUploaded(tenant, file.id(), file.name(), file.contentType(), file.size(), file.sha256(),
								uploadedBy, file.createdAt()));
				statementsDone[0] = true;
				return file;
			});
		}
		catch (RuntimeException | Error ex) {
			if (statementsDone[0]) {
				// The commit itself failed: it may still have happened on the server.
				// Delete the blob only when the metadata is certainly absent.
				Optional<StoredFile> stored = committedAnyway(staged);
				if (stored.isPresent()) {
					return stored.get();
				}
				throw ex;
			}
			discard(staged);
			throw ex;
		}
	}

	/** Deletes a staged blob that will not become a file. */
	void discard(StagedBlob staged) {
		try {
			this.blobs.delete(staged.id());
		}
		catch (IOException ex) {
			log.warn("Could not delete the blob of refused upload {}; the orphan sweep will", staged.id(), ex);
		}
	}

	StoredFile find(UUID id) {
		return this.readTx.execute((s) -> this.files.find(id)).orElseThrow(() -> notFound(id));
	}

	List<StoredFile> page(UUID folderId, int limit, long offset) {
		return this.readTx.execute((s) -> {
			if (folderId != null && !this.folders.exists(folderId)) {
				throw new NotFoundException("No folder " + folderId);
			}
			return this.files.page(folderId, limit, offset);
		});
	}

	/**
	 * Opens a file's content.
	 * @throws NotFoundException when the file was deleted since its metadata was read
	 */
	InputStream open(StoredFile file) throws IOException {
		try {
			return this.blobs.open(file.id());
		}
		catch (NoSuchFileException ex) {
			throw notFound(file.id());
		}
	}

	/**
	 * Deletes a file: metadata, usage and {@code file.deleted} in one transaction, then
	 * the blob.
	 */
	/**
	 * Deletes a file: its uploader may, and a tenant admin (or a system admin acting for
	 * the tenant) may delete any.
	 * @throws ForbiddenException if the caller is neither
	 */
	void delete(UUID id, String deletedBy, boolean admin) {
		UUID tenant = TenantContext.require();
		StoredFile deleted = this.tx.execute((s) -> {
			// Same lock order as uploads: usage row first.
			this.usage.lock();
			StoredFile found = this.files.find(id).orElseThrow(() -> notFound(id));
			if (!admin && !deletedBy.equals(found.uploadedBy())) {
				throw new ForbiddenException(
						"Only the user who uploaded file " + id + ", or a tenant admin, may delete it");
			}
			StoredFileRepository.Deleted gone = this.files.delete(id).orElseThrow(() -> notFound(id));
			StoredFile file = gone.file();
			this.usage.add(-file.size(), -1);
			this.outbox.append(Topics.FILE, EventTypes.FILE_DELETED, tenant, id.toString(),
					new FileDeleted(tenant, id, file.size(), deletedBy, gone.at()));
			return file;
		});
		try {
			this.blobs.delete(deleted.id());
		}
		catch (IOException ex) {
			log.warn("Could not delete the blob of deleted file {}; the orphan sweep will", deleted.id(), ex);
		}
	}

	private Optional<StoredFile> committedAnyway(StagedBlob staged) {
		Optional<StoredFile> stored;
		try {
			stored = this.readTx.execute((s) -> this.files.find(staged.id()));
		}
		catch (RuntimeException ex) {
			log.warn("Cannot tell whether upload {} committed; its blob stays for the orphan sweep", staged.id(), ex);
			return Optional.empty();
		}
		if (stored.isEmpty()) {
			discard(staged);
		}
		return stored;
	}

	private Tier tier() {
		UUID tenant = TenantContext.require();
		return this.placements.find(tenant).orElseThrow(() -> new UnknownTenantException(tenant)).tier();
	}

	private static NotFoundException notFound(UUID id) {
		return new NotFoundException("No file " + id);
	}

	/**
	 * How much an upload may carry ({@code bytes}, reserved for it): the tier's quota
	 * less what is used and what the tenant's other uploads reserved, at most a single
	 * file's maximum and at most the request's declared length.
	 */
	record Allowance(Tier tier, long quota, long used, long othersReserved, long maxFileSize, long bytes) {

		/** Why an upload of more than {@code bytes} is refused. */
		RuntimeException refusal() {
			return (this.maxFileSize <= this.quota - this.used - this.othersReserved)
					? new FileTooLargeException(this.maxFileSize)
					: new StorageQuotaExceededException(this.tier, this.used, this.othersReserved, this.quota);
		}

	}

	/** The blob of an upload that is not yet a file. */
	record StagedBlob(UUID id, String name, String contentType, long size, String sha256, Allowance allowance) {
	}

	/** Storage used and the seats, read together. */
	private record Seated(Usage usage, int seats) {
	}

}
