package io.tierflow.tenant.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Recomputes the hash chains from the stored records, in one snapshot, streaming: each
 * chain must run from position 1 without a gap, each record must name the hash of the one
 * before and hash to its own, and the chain's head must point at its last record. The
 * first record that breaks a chain is named (a record changed, removed or slipped in
 * afterwards); what follows it in that chain is not checked further.
 * <p>
 * It proves the stored chain has not been changed by someone who could not also rewrite
 * every hash after the change; the hashes published on {@code tierflow.audit} are the
 * copy to compare with against that.
 */
@Component
class ChainVerifier {

	private final AuditLog log;

	ChainVerifier(AuditLog log) {
		this.log = log;
	}

	/**
	 * @param tenantId the tenant whose chain to verify (the nil UUID: the platform's);
	 * null for every chain
	 */
	@Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
	public AuditVerification verify(UUID tenantId) {
		Map<UUID, AuditLog.Head> heads = this.log.heads(tenantId);
		Walk walk = new Walk(heads);
		this.log.forEachInChainOrder(tenantId, walk::accept);
		walk.endChain();
		for (Map.Entry<UUID, AuditLog.Head> orphan : heads.entrySet()) {
			walk.breaks.add(new AuditVerification.Break(orphan.getKey(), null, null,
					"the chain's head is at position " + orphan.getValue().seq() + " but the chain has no records"));
		}
		return new AuditVerification(walk.breaks.isEmpty(), walk.chains, walk.records, walk.breaks);
	}

	/** The walk along the records, chain after chain. */
	private static final class Walk {

		private final Map<UUID, AuditLog.Head> heads;

		private final List<AuditVerification.Break> breaks = new ArrayList<>();

		private long chains;

		private long records;

		private UUID chain;

		private long seq;

		private byte[] previous;

		private UUID last;

		private boolean broken;

		Walk(Map<UUID, AuditLog.Head> heads) {
			this.heads = heads;
		}

		void accept(AuditLog.Stored stored) {
			AuditRecord r = stored.record();
			if (!r.chainId().equals(this.chain)) {
				endChain();
				this.chain = r.chainId();
				this.chains++;
				this.seq = 0;
				this.previous = ChainHash.GENESIS;
				this.last = null;
				this.broken = false;
			}
			this.records++;
			if (this.broken) {
				return;
			}
			if (r.seq() != this.seq + 1) {
				fail(r.id(), r.seq(), "expected position " + (this.seq + 1) + ", found " + r.seq()
						+ ": records are missing or were inserted");
			}
			else if (!Arrays.equals(stored.previous(), this.previous)) {
				fail(r.id(), r.seq(), "its previous hash is not the hash of the record before it");
			}
			else if (!Arrays.equals(ChainHash.hash(stored.previous(), r), stored.hash())) {
				fail(r.id(), r.seq(), "its content does not match its hash: the record was changed");
			}
			this.seq = r.seq();
			this.previous = stored.hash();
			this.last = r.id();
		}

		void endChain() {
			if (this.chain == null) {
				return;
			}
			AuditLog.Head head = this.heads.remove(this.chain);
			if (this.broken) {
				return;
			}
			if (head == null) {
				fail(this.last, this.seq, "the chain has no head");
			}
			else if (head.seq() != this.seq || !Arrays.equals(head.hash(), this.previous)) {
				fail(this.last, this.seq, "the chain's head is at position " + head.seq()
						+ ", not at this last record: records after it were removed");
			}
		}

		private void fail(UUID id, long seq, String reason) {
			this.broken = true;
			this.breaks.add(new AuditVerification.Break(this.chain, id, seq, reason));
		}

	}

}
