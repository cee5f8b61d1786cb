package io.tierflow.simulation.run;

import java.net.URI;
import java.util.UUID;

import io.tierflow.tenancy.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Runs of the tenant's models: start one, follow it (also as a stream of Server-Sent
 * Events), cancel it.
 */
@RestController
class RunController {

	private final Simulations simulations;

	private final LiveRuns live;

	RunController(Simulations simulations, LiveRuns live) {
		this.simulations = simulations;
		this.live = live;
	}

	/** Starts a run: 202 with the RUNNING run, its address in {@code Location}. */
	@PostMapping("/api/v1/models/{modelId}/runs")
	@PreAuthorize("hasAuthority('runs:start')")
	ResponseEntity<Run> start(@PathVariable UUID modelId, @Valid @RequestBody NewRun request, Authentication auth) {
		Run run = this.simulations.start(modelId, request, auth.getName());
		return ResponseEntity.accepted().location(URI.create("/api/v1/runs/" + run.id())).body(run);
	}

	/** The tenant's run quota: its tier's limits, its seats, and what it has used. */
	@GetMapping("/api/v1/runs/quota")
	@PreAuthorize("hasAuthority('runs:read')")
	RunQuota quota() {
		return this.simulations.quota();
	}

	@GetMapping("/api/v1/runs/{id}")
	@PreAuthorize("hasAuthority('runs:read')")
	Run get(@PathVariable UUID id) {
		return this.simulations.find(id);
	}

	/** The tenant's runs, newest first, without their results. */
	@GetMapping("/api/v1/runs")
	@PreAuthorize("hasAuthority('runs:read')")
	Page<Run> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
		return new Page<>(this.simulations.page(size, (long) page * size), page, size);
	}

	/**
	 * Asks a run to stop: 202; a run that has ended is a 409, someone else's run a 403
	 * unless the caller is a tenant admin.
	 */
	@PostMapping("/api/v1/runs/{id}/cancel")
	@PreAuthorize("hasAuthority('runs:cancel')")
	ResponseEntity<Run> cancel(@PathVariable UUID id, Authentication auth) {
		return ResponseEntity.accepted().body(this.simulations.cancel(id, auth.getName(), isAdmin(auth)));
	}

	/** A tenant admin, or a system admin acting for the tenant. */
	private static boolean isAdmin(Authentication auth) {
		return auth.getAuthorities()
			.stream()
			.anyMatch((a) -> a.getAuthority().equals("ROLE_TENANT_ADMIN")
					|| a.getAuthority().equals("ROLE_SYSTEM_ADMIN"));
	}

	/**
	 * The run's progress as Server-Sent Events: {@code progress} events ({@code {percent,
	 * iterationsDone, iterationsPerSecond, etaSeconds}}) while it computes, then one
	 * {@code result} event with the ended run, and the stream ends. A run that has ended
	 * gets its {@code result} at once.
	 */
	@GetMapping(path = "/api/v1/runs/{id}/progress", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	@PreAuthorize("hasAuthority('runs:read')")
	SseEmitter progress(@PathVariable UUID id) {
		return this.live.watch(this.simulations.find(id));
	}

}
