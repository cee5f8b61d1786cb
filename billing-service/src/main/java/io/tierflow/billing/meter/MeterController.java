package io.tierflow.billing.meter;

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

/** The tenant's usage meters. */
@RestController
@RequestMapping("/api/v1/meters")
class MeterController {

	private final MeterRepository meters;

	MeterController(MeterRepository meters) {
		this.meters = meters;
	}

	@PostMapping
	@PreAuthorize("hasAuthority('billing:write')")
	@Transactional
	ResponseEntity<Meter> create(@Valid @RequestBody NewMeter meter) {
		try {
			Meter created = this.meters.insert(meter);
			return ResponseEntity.created(URI.create("/api/v1/meters/" + created.id())).body(created);
		}
		catch (DuplicateKeyException ex) {
			throw new ConflictException("A meter with key '" + meter.key() + "' already exists");
		}
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasAuthority('billing:read')")
	@Transactional(readOnly = true)
	Meter get(@PathVariable UUID id) {
		return this.meters.find(id).orElseThrow(() -> new NotFoundException("No meter " + id));
	}

	@GetMapping
	@PreAuthorize("hasAuthority('billing:read')")
	@Transactional(readOnly = true)
	Page<Meter> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
		return new Page<>(this.meters.page(size, (long) page * size), page, size);
	}

}
