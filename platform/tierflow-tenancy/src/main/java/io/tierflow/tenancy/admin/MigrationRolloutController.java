package io.tierflow.tenancy.admin;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import io.tierflow.tenancy.migration.MigrationRollouts;
import io.tierflow.tenancy.migration.Rollout;
import io.tierflow.tenancy.migration.RolloutConflictException;
import io.tierflow.tenancy.migration.RolloutStoreState;
import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Rollouts of a new tenant migration over the service's stores
 * ({@link MigrationRollouts}): started, watched store by store, paused and resumed by a
 * system admin.
 */
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@RestController
@RequestMapping("/api/v1/admin/database/rollouts")
class MigrationRolloutController {

	private final MigrationRollouts rollouts;

	MigrationRolloutController(MigrationRollouts rollouts) {
		this.rollouts = rollouts;
	}

	/**
	 * Starts a rollout of the latest version over every store behind it; 409 while
	 * another is open.
	 */
	@PostMapping
	@PreAuthorize("hasAuthority('database:migrate')")
	ResponseEntity<Rollout> start(@RequestBody(required = false) @Valid PlanRequest plan) {
		Rollout.Plan wanted = (plan != null) ? new Rollout.Plan(plan.canary(), plan.batchSize(), plan.maxFailureRate())
				: Rollout.Plan.DEFAULTS;
		Rollout rollout = conflictsAnswered(() -> this.rollouts.start(wanted));
		return ResponseEntity.created(URI.create("/api/v1/admin/database/rollouts/" + rollout.id())).body(rollout);
	}

	/** The latest rollouts, newest first. */
	@GetMapping
	@PreAuthorize("hasAuthority('database:migrate')")
	List<Rollout> recent(@RequestParam(defaultValue = "20") @Min(1) @Max(100) int limit) {
		return this.rollouts.recent(limit);
	}

	/** A rollout with its stores counted by state and its progress. */
	@GetMapping("/{id}")
	@PreAuthorize("hasAuthority('database:migrate')")
	Rollout rollout(@PathVariable UUID id) {
		return this.rollouts.find(id).orElseThrow(() -> notFound(id));
	}

	/** A page of the rollout's stores in wave order, all or those in one state. */
	@GetMapping("/{id}/stores")
	@PreAuthorize("hasAuthority('database:migrate')")
	Page<Rollout.Store> stores(@PathVariable UUID id, @RequestParam(required = false) RolloutStoreState state,
			@RequestParam(defaultValue = "0") @Min(0) @Max(100_000) int page,
			@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int size) {
		rollout(id);
		return new Page<>(this.rollouts.stores(id, state, size, page * size), page, size);
	}

	/** Stops a running rollout once its stores in flight end. */
	@PostMapping("/{id}/pause")
	@PreAuthorize("hasAuthority('database:migrate')")
	Rollout pause(@PathVariable UUID id) {
		return conflictsAnswered(() -> this.rollouts.pause(id)).orElseThrow(() -> notFound(id));
	}

	/**
	 * Carries a paused or halted rollout on; a halted one tries its failed stores again.
	 */
	@PostMapping("/{id}/resume")
	@PreAuthorize("hasAuthority('database:migrate')")
	Rollout resume(@PathVariable UUID id) {
		return conflictsAnswered(() -> this.rollouts.resume(id)).orElseThrow(() -> notFound(id));
	}

	private static <T> T conflictsAnswered(java.util.function.Supplier<T> action) {
		try {
			return action.get();
		}
		catch (RolloutConflictException ex) {
			throw new ConflictException(ex.getMessage());
		}
	}

	private static NotFoundException notFound(UUID id) {
		return new NotFoundException("No rollout " + id);
	}

	/**
	 * A rollout's plan; each value left out takes the service's default.
	 *
	 * @param canary stores of the first wave
	 * @param batchSize stores of each later wave
	 * @param maxFailureRate share of failed stores (0 to 1) above which it halts
	 */
	record PlanRequest(@Min(1) @Max(10_000) Integer canary, @Min(1) @Max(100_000) Integer batchSize,
			@DecimalMin("0") @DecimalMax("1") Double maxFailureRate) {
	}

}
