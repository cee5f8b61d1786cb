package io.tierflow.analytics.usage;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.Tier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Usage across every tenant, for system admins. Each tenant's days live in its own store
 * (shared tables, its schema or its database), so the overview reads them tenant by
 * tenant, each in its own tenant context, through the same routing as any request: it
 * never reaches around row-level security, and costs one short query per tenant.
 */
@Service
class UsageOverview {

	private static final Logger log = LoggerFactory.getLogger(UsageOverview.class);

	private static final int PAGE = 500;

	private final PlacementRepository placements;

	private final DailyUsageRepository usage;

	private final TransactionTemplate readTx;

	UsageOverview(PlacementRepository placements, DailyUsageRepository usage,
			PlatformTransactionManager transactionManager) {
		this.placements = placements;
		this.usage = usage;
		this.readTx = new TransactionTemplate(transactionManager);
		this.readTx.setReadOnly(true);
	}

	Overview between(LocalDate from, LocalDate to) {
		List<TenantTotal> tenants = new ArrayList<>();
		List<UUID> unreadable = new ArrayList<>();
		List<UUID> suspended = new ArrayList<>();
		DailyUsage all = DailyUsage.NONE;
		for (int offset = 0;; offset += PAGE) {
			List<TenantPlacement> page = this.placements.findAll(PAGE, offset);
			for (TenantPlacement placement : page) {
				if (placement.state() != PlacementState.READY) {
					continue;
				}
				if (placement.suspended()) {
					// Suspension closes every access to the tenant's data, this one too.
					suspended.add(placement.tenantId());
					continue;
				}
				try {
					DailyUsage total = TenantContext.call(placement.tenantId(), () -> this.readTx.execute(
							(s) -> this.usage.between(from, to).stream().reduce(DailyUsage.NONE, DailyUsage::plus)));
					tenants.add(new TenantTotal(placement.tenantId(), placement.tier(), total));
					all = all.plus(total);
				}
				catch (RuntimeException ex) {
					// A tenant moving right now, or a store that is down: say so, go on.
					log.warn("Usage overview: tenant {} could not be read: {}", placement.tenantId(), ex.toString());
					unreadable.add(placement.tenantId());
				}
			}
			if (page.size() < PAGE) {
				break;
			}
		}
		tenants.sort(Comparator.comparingLong((TenantTotal t) -> t.usage().iterations()).reversed());
		return new Overview(from, to, tenants.size(), all, tenants, unreadable, suspended);
	}

	/**
	 * Every tenant's sum, busiest (by iterations) first, and the grand total; tenants
	 * whose store could not be read, and suspended tenants (not read), by id.
	 */
	record Overview(LocalDate from, LocalDate to, int tenantCount, DailyUsage total, List<TenantTotal> tenants,
			List<UUID> unreadable, List<UUID> suspended) {
	}

	record TenantTotal(UUID tenantId, Tier tier, DailyUsage usage) {
	}

}
