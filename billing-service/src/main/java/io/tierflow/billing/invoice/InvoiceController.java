package io.tierflow.billing.invoice;

import java.util.UUID;

import io.tierflow.tenancy.web.NotFoundException;
import io.tierflow.tenancy.web.Page;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The tenant's invoices and its current usage. */
@RestController
class InvoiceController {

	private final Invoices invoices;

	InvoiceController(Invoices invoices) {
		this.invoices = invoices;
	}

	@GetMapping("/api/v1/usage/current")
	@PreAuthorize("hasAuthority('billing:read')")
	@Transactional
	CurrentUsage current() {
		return this.invoices.current();
	}

	@GetMapping("/api/v1/invoices")
	@PreAuthorize("hasAuthority('billing:read')")
	@Transactional
	Page<InvoiceSummary> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
		return new Page<>(this.invoices.page(size, (long) page * size), page, size);
	}

	@GetMapping("/api/v1/invoices/{id}")
	@PreAuthorize("hasAuthority('billing:read')")
	@Transactional(readOnly = true)
	Invoice get(@PathVariable UUID id) {
		return this.invoices.find(id).orElseThrow(() -> new NotFoundException("No invoice " + id));
	}

}
