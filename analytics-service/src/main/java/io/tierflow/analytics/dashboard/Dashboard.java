package io.tierflow.analytics.dashboard;

import java.time.OffsetDateTime;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/** A dashboard as the API shows it. */
public record Dashboard(UUID id, String name, JsonNode definition, OffsetDateTime createdAt) {
}
