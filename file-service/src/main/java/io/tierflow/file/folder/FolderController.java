package io.tierflow.file.folder;

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

/** The tenant's folders. */
@RestController
@RequestMapping("/api/v1/folders")
class FolderController {

	private final FolderRepository folders;

	FolderController(FolderRepository folders) {
		this.folders = folders;
	}

	@PostMapping
	@PreAuthorize("hasAuthority('files:write')")
	@Transactional
	ResponseEntity<Folder> create(@Valid @RequestBody NewFolder folder) {
		try {
			Folder created = this.folders.insert(folder);
			return ResponseEntity.created(URI.create("/api/v1/folders/" + created.id())).body(created);
		}
		catch (DuplicateKeyException ex) {
			throw new ConflictException("A folder named '" + folder.name() + "' already exists");
		}
	}

	@GetMapping("/{id}")
	@PreAuthorize("hasAuthority('files:read')")
	@Transactional(readOnly = true)
	Folder get(@PathVariable UUID id) {
		return this.folders.find(id).orElseThrow(() -> new NotFoundException("No folder " + id));
	}

	@GetMapping
	@PreAuthorize("hasAuthority('files:read')")
	@Transactional(readOnly = true)
	Page<Folder> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
		return new Page<>(this.folders.page(size, (long) page * size), page, size);
	}

}
