package io.tierflow.tenant.audit;

import java.util.List;
import java.util.UUID;

/**
 * What a verification of the audit trail found.
 *
 * @param intact whether every chain verified
 * @param chains the chains read
 * @param records the records read
 * @param breaks per broken chain, the first record that breaks it
 */
record AuditVerification(boolean intact, long chains, long records, List<Break> breaks) {

	/**
	 * @param chainId the chain: the tenant's id, or the nil UUID for the platform's
	 * @param recordId the first record that breaks it; null when the chain has no record
	 * @param seq that record's position
	 */
	record Break(UUID chainId, UUID recordId, Long seq, String reason) {
	}

}
