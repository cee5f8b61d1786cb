package io.tierflow.file.storage;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The uploads each tenant has in flight on this instance, and the bytes they have
 * reserved of its quota. An upload takes a {@link UploadSlot} before a byte of its body
 * is read (refused with {@link TooManyUploadsException} when the tenant has all of
 * {@code max-concurrent-uploads-per-tenant}), then reserves what it may write; slot and
 * reservation are given back together when the request ends, however it ends.
 * <p>
 * Kept in memory: a reservation lives exactly as long as the request holding it, so
 * nothing outlives a crash and no lease or sweep is needed. The cost is that the bound is
 * per instance: uploads of one tenant through several instances each see only their own
 * instance's reservations. The stored quota holds across instances regardless, checked
 * again under the usage row's lock when an upload commits.
 */
final class UploadAdmission {

	private final int maxPerTenant;

	/** Guarded by {@code this}; a tenant without uploads in flight has no entry. */
	private final Map<UUID, InFlight> tenants = new HashMap<>();

	UploadAdmission(int maxPerTenant) {
		this.maxPerTenant = maxPerTenant;
	}

	/**
	 * Takes one of the tenant's upload slots.
	 * @throws TooManyUploadsException when all of them are taken
	 */
	synchronized UploadSlot admit(UUID tenant) {
		InFlight inFlight = this.tenants.computeIfAbsent(tenant, (t) -> new InFlight());
		if (inFlight.slots >= this.maxPerTenant) {
			throw new TooManyUploadsException(this.maxPerTenant);
		}
		inFlight.slots++;
		return new UploadSlot(tenant, inFlight);
	}

	/** Uploads of the tenant in flight on this instance. */
	synchronized int slotsTaken(UUID tenant) {
		InFlight inFlight = this.tenants.get(tenant);
		return (inFlight != null) ? inFlight.slots : 0;
	}

	/** Bytes of the tenant's quota reserved by its uploads in flight on this instance. */
	synchronized long reservedBytes(UUID tenant) {
		InFlight inFlight = this.tenants.get(tenant);
		return (inFlight != null) ? inFlight.reserved : 0;
	}

	private synchronized long finishedUploads(InFlight inFlight) {
		return inFlight.finished;
	}

	private synchronized Reservation reserve(InFlight inFlight, UploadSlot slot, long finishedBefore, long free,
			long wanted) {
		if (inFlight.finished != finishedBefore) {
			// An upload finished since the usage was read: its bytes may have moved from
			// reserved to used, and would be counted by neither.
			return null;
		}
		long othersReserved = inFlight.reserved - slot.reserved;
		long bytes = Math.min(wanted, Math.max(0, free - othersReserved));
		inFlight.reserved += bytes - slot.reserved;
		slot.reserved = bytes;
		return new Reservation(bytes, othersReserved);
	}

	private synchronized void release(UUID tenant, InFlight inFlight, UploadSlot slot) {
		inFlight.slots--;
		inFlight.reserved -= slot.reserved;
		inFlight.finished++;
		slot.reserved = 0;
		if (inFlight.slots == 0) {
			this.tenants.remove(tenant);
		}
	}

	/** What one upload reserved, and what the tenant's other uploads hold. */
	record Reservation(long bytes, long othersReserved) {
	}

	/** One tenant's uploads in flight; guarded by the admission's lock. */
	private static final class InFlight {

		private int slots;

		private long reserved;

		/** Counts uploads that ended: usage read before one ended may be stale. */
		private long finished;

	}

	/**
	 * An upload's place among the tenant's uploads in flight, and its reservation of the
	 * quota; closing it gives both back (once, however often it is closed).
	 */
	final class UploadSlot implements AutoCloseable {

		private final UUID tenant;

		private final InFlight inFlight;

		/** Guarded by the admission's lock. */
		private long reserved;

		private boolean closed;

		private UploadSlot(UUID tenant, InFlight inFlight) {
			this.tenant = tenant;
			this.inFlight = inFlight;
		}

		/**
		 * A marker to take before reading the tenant's usage and to hand to
		 * {@link #reserve}.
		 */
		long beforeUsageRead() {
			return finishedUploads(this.inFlight);
		}

		/**
		 * Reserves up to {@code wanted} bytes of what is {@code free} of the quota (quota
		 * less usage) and not reserved by the tenant's other uploads. Returns
		 * {@code null} when an upload of the tenant finished since {@code marker} was
		 * taken: read the usage again and retry.
		 */
		Reservation reserve(long marker, long free, long wanted) {
			return UploadAdmission.this.reserve(this.inFlight, this, marker, free, wanted);
		}

		@Override
		public void close() {
			synchronized (UploadAdmission.this) {
				if (this.closed) {
					return;
				}
				this.closed = true;
				release(this.tenant, this.inFlight, this);
			}
		}

	}

}
