package io.tierflow.simulation.model;

import java.time.OffsetDateTime;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/** A simulation model as the API shows it. */
public record SimulationModel(UUID id, String name, String description, JsonNode definition, OffsetDateTime createdAt) {
}
