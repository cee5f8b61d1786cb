package io.tierflow.tenancy.admin;

import java.net.URI;
import java.util.List;
import java.util.Map;

import io.tierflow.tenancy.placement.ClusterConflictException;
import io.tierflow.tenancy.placement.ClusterRegistry;
import io.tierflow.tenancy.placement.ClusterRegistry.Registered;
import io.tierflow.tenancy.placement.ClusterRequestException;
import io.tierflow.tenancy.placement.ClusterRole;
import io.tierflow.tenancy.placement.ClusterState;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.web.BadRequestException;
import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The service's clusters at run time ({@link ClusterRegistry}): listed with their load,
 * registered, changed (capacity, high-water mark, marked unhealthy or healthy again) and
 * drained, without a restart; every instance takes a change within a second.
 */
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@RestController
@RequestMapping("/api/v1/admin/clusters")
class ClusterAdminController {

	private final ClusterRegistry clusters;

	private final PlacementRepository placements;

	private final TransactionTemplate controlTx;

	private final ClusterRegistry.AppRoles roles;

	ClusterAdminController(ClusterRegistry clusters, PlacementRepository placements, TransactionTemplate controlTx,
			ClusterRegistry.AppRoles roles) {
		this.clusters = clusters;
		this.placements = placements;
		this.controlTx = controlTx;
		this.roles = roles;
	}

	/** Every cluster with its tenants against its capacity and high-water mark. */
	@GetMapping
	@PreAuthorize("hasAuthority('tenants:admin')")
	List<ClusterView> all() {
		Map<String, Integer> tenants = tenantsPerCluster();
		return this.clusters.all().stream().map((c) -> ClusterView.of(c, tenants.getOrDefault(c.name(), 0))).toList();
	}

	@GetMapping("/{name}")
	@PreAuthorize("hasAuthority('tenants:admin')")
	ClusterView one(@PathVariable String name) {
		Registered cluster = this.clusters.find(name).orElseThrow(() -> notFound(name));
		return ClusterView.of(cluster, tenantsPerCluster().getOrDefault(name, 0));
	}

	/**
	 * Registers a cluster: it must answer at its URL with the password its
	 * {@code passwordRef} names on this instance.
	 */
	@PostMapping
	@PreAuthorize("hasAuthority('clusters:manage')")
	ResponseEntity<ClusterView> register(@RequestBody @Valid Registration r) {
		Registered registered = answered(() -> this.clusters.register(new ClusterRegistry.Registration(r.name(),
				r.jdbcUrl(), r.username(), r.passwordRef(), r.role(), r.region(), r.capacity(),
				(r.highWaterMark() != null) ? r.highWaterMark() : 0.85, r.poolMaxSize(), r.databasePoolMaxSize()),
				this.roles));
		return ResponseEntity.created(URI.create("/api/v1/admin/clusters/" + registered.name()))
			.body(ClusterView.of(registered, 0));
	}

	/**
	 * Changes a cluster's capacity or high-water mark, or marks it unhealthy (nothing new
	 * is placed on it; its tenants stay) or active again.
	 */
	@PatchMapping("/{name}")
	@PreAuthorize("hasAuthority('clusters:manage')")
	ClusterView change(@PathVariable String name, @RequestBody @Valid Change change) {
		this.clusters.find(name).orElseThrow(() -> notFound(name));
		if (change.state() != null && change.state() != ClusterState.ACTIVE
				&& change.state() != ClusterState.UNHEALTHY) {
			throw new BadRequestException("state must be ACTIVE or UNHEALTHY; a cluster is drained with POST "
					+ "/api/v1/admin/clusters/" + name + "/drain");
		}
		// ACTIVE also ends a drain, or takes a drained cluster back.
		this.clusters.update(name, change.capacity(), change.highWaterMark(), change.state(), change.reason());
		return one(name);
	}

	/**
	 * Moves every tenant off the cluster, a few at a time, through the tier-move
	 * machinery; nothing new is placed on it from now on. Its tenants left are in the
	 * answer, and in {@code GET} as the drain goes.
	 */
	@PostMapping("/{name}/drain")
	@PreAuthorize("hasAuthority('clusters:manage')")
	ClusterView drain(@PathVariable String name) {
		Registered current = this.clusters.find(name).orElseThrow(() -> notFound(name));
		if (current.state() == ClusterState.DRAINED) {
			throw new ConflictException("Cluster " + name + " is drained already");
		}
		if (current.state() != ClusterState.DRAINING) {
			this.clusters.update(name, null, null, ClusterState.DRAINING, "drain asked over the admin API");
		}
		return one(name);
	}

	private Map<String, Integer> tenantsPerCluster() {
		return this.controlTx.execute((s) -> this.placements.tenantsPerCluster());
	}

	private static <T> T answered(java.util.function.Supplier<T> action) {
		try {
			return action.get();
		}
		catch (ClusterRequestException ex) {
			throw new BadRequestException(ex.getMessage());
		}
		catch (ClusterConflictException ex) {
			throw new ConflictException(ex.getMessage());
		}
	}

	private static NotFoundException notFound(String name) {
		return new NotFoundException("No cluster " + name);
	}

	/**
	 * A cluster to register.
	 *
	 * @param passwordRef the property or environment variable, on every instance, that
	 * holds the owner's password: never the password itself
	 * @param highWaterMark share of the capacity above which tenants are moved elsewhere
	 * (0.85 when left out)
	 */
	record Registration(@NotBlank @Size(max = 40) String name, @NotBlank @Size(max = 500) String jdbcUrl,
			@NotBlank @Size(max = 63) String username, @NotBlank @Size(max = 128) String passwordRef,
			@NotNull ClusterRole role, @NotBlank @Size(max = 32) String region,
			@NotNull @Min(1) @Max(10_000_000) Integer capacity,
			@DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double highWaterMark,
			@Min(1) @Max(200) Integer poolMaxSize, @Min(1) @Max(100) Integer databasePoolMaxSize) {
	}

	/** What to change of a cluster; each value left out stays as it is. */
	record Change(@Min(1) @Max(10_000_000) Integer capacity,
			@DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double highWaterMark, ClusterState state,
			@Size(max = 500) String reason) {
	}

	/**
	 * A cluster as the admin API shows it: its load and state, never its password.
	 *
	 * @param tenants tenants placed on it
	 * @param fill tenants against capacity, 0 to 1
	 * @param aboveHighWaterMark whether its fill is above its high-water mark
	 */
	record ClusterView(String name, ClusterRole role, String region, String jdbcUrl, String username,
			String passwordRef, int capacity, int tenants, double fill, double highWaterMark,
			boolean aboveHighWaterMark, ClusterState state, ClusterRegistry.Source source, String reason) {

		static ClusterView of(Registered c, int tenants) {
			double fill = (double) tenants / c.capacity();
			return new ClusterView(c.name(), c.role(), c.region(), c.jdbcUrl(), c.username(), c.passwordRef(),
					c.capacity(), tenants, fill, c.highWaterMark(), fill > c.highWaterMark(), c.state(), c.source(),
					c.reason());
		}

	}

}
