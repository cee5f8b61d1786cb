package io.tierflow.tenancy.routing;

import java.time.Duration;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.migration.TenantMigrations;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.PlacementRepository.Routed;
import io.tierflow.tenancy.placement.PlacementState;
import io.tierflow.tenancy.placement.TenantErasedException;
import io.tierflow.tenancy.placement.TenantNotReadyException;
import io.tierflow.tenancy.placement.TenantPlacement;
import io.tierflow.tenancy.placement.TenantSuspendedException;
import io.tierflow.tenancy.placement.UnknownTenantException;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Resolves a tenant to its route. Routes are cached for a short time; anything that
 * changes a placement evicts it here. Only placements whose store is migrated to the
 * latest version route: a tenant is not ready before its placement is.
 */
public class PlacementDirectory {

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final TenantMigrations migrations;

	private final Cache<UUID, TenantRoute> routes;

	/** Tenants erased here: final, so kept without expiry (bounded in number). */
	private final Cache<UUID, Boolean> erased;

	public PlacementDirectory(PlacementRepository placements, TransactionTemplate controlTx,
			TenantMigrations migrations, Duration ttl) {
		this.placements = placements;
		this.controlTx = controlTx;
		this.migrations = migrations;
		this.routes = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(ttl).build();
		this.erased = Caffeine.newBuilder().maximumSize(100_000).build();
	}

	/**
	 * The route of a tenant that is placed, migrated and not suspended.
	 * @throws UnknownTenantException if the tenant has no placement here
	 * @throws TenantSuspendedException if the tenant is suspended
	 * @throws TenantNotReadyException if its placement is not migrated yet
	 * @throws TenantErasedException if the tenant is erased, or being erased
	 */
	public TenantRoute route(UUID tenantId) {
		TenantRoute route = this.routes.get(tenantId, this::load);
		if (route.placement().suspended() && !TenantContext.maintenance()) {
			throw new TenantSuspendedException(tenantId);
		}
		return route;
	}

	/**
	 * Whether the tenant is erased here or being erased: its late events are dropped.
	 * Answered from the caches for tenants that are served or erased.
	 */
	public boolean erased(UUID tenantId) {
		if (this.erased.getIfPresent(tenantId) != null) {
			return true;
		}
		try {
			this.routes.get(tenantId, this::load);
			return false;
		}
		catch (TenantErasedException ex) {
			return true;
		}
		catch (UnknownTenantException | TenantNotReadyException ex) {
			return false;
		}
	}

	/**
	 * Forgets what is cached for a tenant; the next request reads its placement again.
	 */
	public void evict(UUID tenantId) {
		this.routes.invalidate(tenantId);
		this.erased.invalidate(tenantId);
	}

	/**
	 * Forgets the tenant's route if it is of placement epoch {@code epoch} or older: the
	 * writers a cutover held all find the tenant moved at once, and the first of them to
	 * route again loads the new placement for the others, instead of each one throwing
	 * away what the one before it loaded.
	 */
	public void evictEpoch(UUID tenantId, long epoch) {
		this.routes.asMap()
			.computeIfPresent(tenantId, (id, route) -> (route.placement().epoch() <= epoch) ? null : route);
	}

	public void evictAll() {
		this.routes.invalidateAll();
		this.erased.invalidateAll();
	}

	private TenantRoute load(UUID tenantId) {
		if (this.erased.getIfPresent(tenantId) != null) {
			throw new TenantErasedException(tenantId);
		}
		Routed routed = this.controlTx.execute((status) -> this.placements.findRouted(tenantId)).orElse(null);
		if (routed == null) {
			if (Boolean.TRUE.equals(this.controlTx.execute((status) -> this.placements.isErased(tenantId)))) {
				this.erased.put(tenantId, Boolean.TRUE);
				throw new TenantErasedException(tenantId);
			}
			throw new UnknownTenantException(tenantId);
		}
		TenantPlacement placement = routed.placement();
		if (placement.state() == PlacementState.ERASING) {
			throw new TenantErasedException(tenantId);
		}
		if (placement.state() != PlacementState.READY) {
			throw new TenantNotReadyException(tenantId, "placement is " + placement.state()
					+ ((placement.error() != null) ? " (" + placement.error() + ")" : ""));
		}
		if (routed.storeState() != PlacementState.READY || !this.migrations.serves(routed.storeVersion())) {
			throw new TenantNotReadyException(tenantId, "its store is at version " + routed.storeVersion()
					+ ", the service needs " + this.migrations.latestVersion());
		}
		return new TenantRoute(placement);
	}

}
