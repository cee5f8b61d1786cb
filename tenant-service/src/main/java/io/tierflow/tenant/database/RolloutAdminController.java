package io.tierflow.tenant.database;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tierflow.tenant.audit.AuditActions;
import io.tierflow.tenant.audit.AuditTarget;
import io.tierflow.tenant.audit.AuditTrail;
import io.tierflow.tenant.audit.Audited;
import io.tierflow.tenant.database.ServiceCalls.Answer;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Rollouts of new tenant migrations in the tenant-data services, through tenant-service:
 * each service runs its own ({@code /api/v1/admin/database/rollouts} there); this
 * controller starts and lists them in every service or one, and watches, pauses and
 * resumes one service's rollout, answering with that service's answer (its 404 or 409
 * too). Starting, pausing and resuming go to the audit trail.
 */
@RestController
@RequestMapping("/api/v1/admin/database/rollouts")
class RolloutAdminController {

	private static final String SERVICES = "simulation|file|billing|analytics";

	private static final String SERVICE_MESSAGE = "must be one of simulation, file, billing, analytics";

	private static final String PATH = "/api/v1/admin/database/rollouts";

	private final ServiceCalls services;

	private final AuditTrail audit;

	private final TransactionTemplate tx;

	private final JsonMapper json = JsonMapper.builder().build();

	RolloutAdminController(ServiceCalls services, AuditTrail audit, PlatformTransactionManager transactions) {
		this.services = services;
		this.audit = audit;
		this.tx = new TransactionTemplate(transactions);
	}

	/** The latest rollouts of every service, or of one. */
	@GetMapping
	@PreAuthorize("hasAuthority('database:migrate')")
	Rollouts recent(
			@RequestParam(required = false) @Pattern(regexp = SERVICES, message = SERVICE_MESSAGE) String service) {
		return new Rollouts(this.services.ask(HttpMethod.GET, PATH + "?limit=5", only(service)), Instant.now());
	}

	/**
	 * Starts a rollout in every service, or in one; each answers with its rollout or why
	 * not (409 while one is open there).
	 */
	@PostMapping
	@PreAuthorize("hasAuthority('database:migrate')")
	@Audited(action = AuditActions.ROLLOUT_START, target = "database")
	Rollouts start(
			@RequestParam(required = false) @Pattern(regexp = SERVICES, message = SERVICE_MESSAGE) String service,
			@RequestBody(required = false) @Valid Plan plan) {
		JsonNode body = this.json.valueToTree((plan != null) ? plan : new Plan(null, null, null));
		List<Answer> answers = this.services.ask(HttpMethod.POST, PATH, only(service), body);
		List<UUID> started = answers.stream()
			.filter(Answer::ok)
			.map((a) -> UUID.fromString(a.body().path("id").asString()))
			.toList();
		if (!started.isEmpty()) {
			this.tx.executeWithoutResult((s) -> started
				.forEach((id) -> this.audit.record(AuditActions.ROLLOUT_START, AuditTarget.of("rollout", id), null)));
		}
		return new Rollouts(answers, Instant.now());
	}

	/** One service's rollout, with its stores counted by state. */
	@GetMapping("/{service}/{id}")
	@PreAuthorize("hasAuthority('database:migrate')")
	Answer rollout(@PathVariable @Pattern(regexp = SERVICES, message = SERVICE_MESSAGE) String service,
			@PathVariable UUID id) {
		return one(HttpMethod.GET, service, PATH + "/" + id);
	}

	/** A page of one service's rollout's stores, all or those in one state. */
	@GetMapping("/{service}/{id}/stores")
	@PreAuthorize("hasAuthority('database:migrate')")
	Answer stores(@PathVariable @Pattern(regexp = SERVICES, message = SERVICE_MESSAGE) String service,
			@PathVariable UUID id,
			@RequestParam(required = false) @Pattern(regexp = "PENDING|MIGRATED|FAILED|BUSY|GONE",
					message = "must be one of PENDING, MIGRATED, FAILED, BUSY, GONE") String state,
			@RequestParam(defaultValue = "0") @Min(0) @Max(100_000) int page,
			@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int size) {
		String path = UriComponentsBuilder.fromPath(PATH + "/" + id + "/stores")
			.queryParamIfPresent("state", java.util.Optional.ofNullable(state))
			.queryParam("page", page)
			.queryParam("size", size)
			.encode()
			.toUriString();
		return one(HttpMethod.GET, service, path);
	}

	/** Pauses one service's rollout once its stores in flight end. */
	@PostMapping("/{service}/{id}/pause")
	@PreAuthorize("hasAuthority('database:migrate')")
	@Audited(action = AuditActions.ROLLOUT_PAUSE, target = "rollout", targetId = "id")
	Answer pause(@PathVariable @Pattern(regexp = SERVICES, message = SERVICE_MESSAGE) String service,
			@PathVariable UUID id) {
		Answer answer = one(HttpMethod.POST, service, PATH + "/" + id + "/pause");
		recordIf(answer, AuditActions.ROLLOUT_PAUSE, id);
		return answer;
	}

	private void recordIf(Answer answer, String action, UUID id) {
		if (!answer.ok()) {
			return;
		}
		this.tx.executeWithoutResult((s) -> this.audit.record(action, AuditTarget.of("rollout", id), null));
	}

	/**
	 * Resumes one service's paused or halted rollout; a halted one tries its failed
	 * stores again.
	 */
	@PostMapping("/{service}/{id}/resume")
	@PreAuthorize("hasAuthority('database:migrate')")
	@Audited(action = AuditActions.ROLLOUT_RESUME, target = "rollout", targetId = "id")
	Answer resume(@PathVariable @Pattern(regexp = SERVICES, message = SERVICE_MESSAGE) String service,
			@PathVariable UUID id) {
		Answer answer = one(HttpMethod.POST, service, PATH + "/" + id + "/resume");
		recordIf(answer, AuditActions.ROLLOUT_RESUME, id);
		return answer;
	}

	/**
	 * One service's answer, its rollout in {@code body}; a service that does not answer
	 * is an answer with its error, like every aggregated answer. A 4xx problem of the
	 * service (no such rollout, a rollout that cannot be paused) is passed on.
	 */
	private Answer one(HttpMethod method, String service, String path) {
		Answer answer = this.services.ask(method, path, List.of(service)).get(0);
		if (!answer.ok() && answer.status() != null && answer.status() >= 400 && answer.status() < 500) {
			HttpStatusCode status = HttpStatusCode.valueOf(answer.status());
			throw new ErrorResponseException(status,
					ProblemDetail.forStatusAndDetail(status, service + "-service: " + answer.error()), null);
		}
		return answer;
	}

	private static List<String> only(String service) {
		return (service != null) ? List.of(service) : null;
	}

	/**
	 * A rollout's plan, passed to each service; each value left out takes the service's
	 * default.
	 */
	record Plan(@Min(1) @Max(10_000) Integer canary, @Min(1) @Max(100_000) Integer batchSize,
			@DecimalMin("0") @DecimalMax("1") Double maxFailureRate) {
	}

	record Rollouts(List<Answer> services, Instant at) {
	}

}
