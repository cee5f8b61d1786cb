package io.tierflow.simulation.model;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/**
 * Request to create a model. The tenant is never taken from the body, only from the
 * token.
 */
record NewModel(@NotBlank @Size(max = 100) String name, @Size(max = 1000) String description, JsonNode definition) {
}
