package io.tierflow.file.folder;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A folder as the API shows it. */
public record Folder(UUID id, String name, String description, OffsetDateTime createdAt) {
}
