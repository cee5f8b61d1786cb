package io.tierflow.simulation.model;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import io.tierflow.simulation.definition.DefinitionLimits;
import io.tierflow.simulation.definition.ModelDefinition;
import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The tenant's simulation models. */
@RestController
@RequestMapping("/api/v1/models")
class ModelController {

	private final ModelRepository models;

	private final ModelFiles files;

	private final DefinitionLimits limits;

	private final TransactionTemplate tx;

	ModelController(ModelRepository models, ModelFiles files, DefinitionLimits limits,
			PlatformTransactionManager transactionManager) {
		this.models = models;
		this.files = files;
		this.limits = limits;
		this.tx = new TransactionTemplate(transactionManager);
	}

	@PostMapping
	@PreAuthorize("hasAuthority('models:write')")
	ResponseEntity<SimulationModel> create(@Valid @RequestBody NewModel model) {
		check(model);
		return store(model);
	}

	/**
	 * Creates a model whose definition is a JSON file the tenant stored in file-service.
	 * The file is read and checked before any transaction starts.
	 */
	@PostMapping("/from-file")
	@PreAuthorize("hasAuthority('models:write')")
	ResponseEntity<SimulationModel> createFromFile(@Valid @RequestBody FileModel body) {
		JsonNode definition = this.files.definition(body.fileId());
		NewModel model = new NewModel(body.name(), body.description(), definition);
		check(model);
		return store(model);
	}

	/**
	 * Checks the definition on the request's thread, holding no connection: checking is
	 * bounded by {@link DefinitionLimits} but is CPU work that a transaction need not
	 * wait for.
	 */
	private void check(NewModel model) {
		if (ModelDefinition.containsNul(model.definition())) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The definition must not contain NUL characters");
		}
		// A model may be saved before it is written (no definition yet); one that says
		// something must be runnable.
		if (!ModelDefinition.isEmpty(model.definition())) {
			ModelDefinition.compile(model.definition(), this.limits);
		}
	}

	private ResponseEntity<SimulationModel> store(NewModel model) {
		try {
			SimulationModel created = this.tx.execute((s) -> this.models.insert(model));
			return ResponseEntity.created(URI.create("/api/v1/models/" + created.id())).body(created);
		}
		catch (DuplicateKeyException ex) {
			throw new ConflictException("A model named '" + model.name() + "' already exists");
		}
	}

	/**
	 * Edits a model: its name, description and definition together, checked as a new
	 * model's are (a definition with faults is a 422 and changes nothing). Runs already
	 * started keep the definition they were started with.
	 */
	@PutMapping("/{id}")
	@PreAuthorize("hasAuthority('models:write')")
	SimulationModel update(@PathVariable UUID id, @Valid @RequestBody NewModel model) {
		check(model);
		try {
			return this.tx.execute((s) -> this.models.update(id, model))
				.orElseThrow(() -> new NotFoundException("No model " + id));
		}
		catch (DuplicateKeyException ex) {
			throw new ConflictException("A model named '" + model.name() + "' already exists");
		}
	}

	/** A model to create from a stored file. */
	record FileModel(@NotBlank @Size(max = 100) String name, @Size(max = 1000) String description,
			@NotNull UUID fileId) {
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasAuthority('models:read')")
	@Transactional(readOnly = true)
	SimulationModel get(@PathVariable UUID id) {
		return this.models.find(id).orElseThrow(() -> new NotFoundException("No model " + id));
	}

	@GetMapping
	@PreAuthorize("hasAuthority('models:read')")
	@Transactional(readOnly = true)
	Page<SimulationModel> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
		return new Page<>(this.models.page(size, (long) page * size), page, size);
	}

}
