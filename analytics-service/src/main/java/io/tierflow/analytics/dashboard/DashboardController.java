package io.tierflow.analytics.dashboard;

import java.net.URI;
import java.util.UUID;

import io.tierflow.tenancy.web.ConflictException;
import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The tenant's analytics dashboards. */
@RestController
@RequestMapping("/api/v1/dashboards")
class DashboardController {

	private final DashboardRepository dashboards;

	DashboardController(DashboardRepository dashboards) {
		this.dashboards = dashboards;
	}

	@PostMapping
	@PreAuthorize("hasAuthority('dashboards:write')")
	@Transactional
	ResponseEntity<Dashboard> create(@Valid @RequestBody NewDashboard dashboard) {
		try {
			Dashboard created = this.dashboards.insert(dashboard);
			return ResponseEntity.created(URI.create("/api/v1/dashboards/" + created.id())).body(created);
		}
		catch (DuplicateKeyException ex) {
			throw new ConflictException("A dashboard named '" + dashboard.name() + "' already exists");
		}
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasAuthority('analytics:read')")
	@Transactional(readOnly = true)
	Dashboard get(@PathVariable UUID id) {
		return this.dashboards.find(id).orElseThrow(() -> new NotFoundException("No dashboard " + id));
	}

	@GetMapping
	@PreAuthorize("hasAuthority('analytics:read')")
	@Transactional(readOnly = true)
	Page<Dashboard> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
		return new Page<>(this.dashboards.page(size, (long) page * size), page, size);
	}

}
