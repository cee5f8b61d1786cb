package io.tierflow.servicetest;

import java.time.LocalDate;
import java.util.UUID;

import io.tierflow.servicetest.ExampleValues.Unsatisfiable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Request bodies made from OpenAPI schemas are valid for the constraints the schemas
 * carry, or refused by name.
 */
class ExampleValuesTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final JsonNode API = JSON.readTree("""
			{"components": {"schemas": {
			  "NewTenant": {"type": "object", "required": ["name", "slug", "plan", "region", "owner", "since"],
			    "properties": {
			      "name": {"type": "string", "maxLength": 5},
			      "slug": {"type": "string", "pattern": "[a-z0-9][a-z0-9-]{1,62}"},
			      "region": {"type": "string", "pattern": "[a-z]{2,16}"},
			      "plan": {"$ref": "#/components/schemas/Plan"},
			      "owner": {"type": "string", "format": "email"},
			      "since": {"type": "string", "format": "date"},
			      "note": {"type": "string"}}},
			  "Plan": {"type": "string", "enum": ["STANDARD", "ENTERPRISE"]},
			  "NewRun": {"type": "object", "required": ["iterations", "roles", "id"],
			    "properties": {
			      "iterations": {"type": ["integer", "null"], "format": "int64", "minimum": 10, "maximum": 20},
			      "roles": {"type": "array", "minItems": 2,
			        "items": {"type": "string", "pattern": "SYSTEM_ADMIN|TENANT_ADMIN|USER"}},
			      "id": {"type": "string", "format": "uuid"}}}}}}
			""");

	private final ExampleValues values = new ExampleValues(API, JSON);

	@Test
	void objectHasItsRequiredPropertiesWithinTheirConstraints() {
		JsonNode tenant = this.values.of(JSON.readTree("{\"$ref\": \"#/components/schemas/NewTenant\"}"), "body");

		assertThat(tenant.propertyNames()).containsExactlyInAnyOrder("name", "slug", "plan", "region", "owner",
				"since");
		assertThat(tenant.get("name").asString()).hasSizeLessThanOrEqualTo(5);
		assertThat(tenant.get("slug").asString()).matches("[a-z0-9][a-z0-9-]{1,62}");
		assertThat(tenant.get("region").asString()).matches("[a-z]{2,16}");
		assertThat(tenant.get("plan").asString()).isEqualTo("STANDARD");
		assertThat(tenant.get("owner").asString()).endsWith("@example.com");
		assertThat(LocalDate.parse(tenant.get("since").asString())).isNotNull();
	}

	@Test
	void numbersArraysAndIdsKeepTheirBounds() {
		JsonNode run = this.values.of(JSON.readTree("{\"$ref\": \"#/components/schemas/NewRun\"}"), "body");

		assertThat(run.get("iterations").asLong()).isEqualTo(10);
		assertThat(run.get("roles")).hasSize(2);
		assertThat(run.get("roles").get(0).asString()).isEqualTo("SYSTEM_ADMIN");
		assertThat(UUID.fromString(run.get("id").asString())).isNotNull();
	}

	@Test
	void namesWhatCannotBeMadeValid() {
		assertThatThrownBy(() -> this.values.of(JSON.readTree("""
				{"type": "object", "required": ["code"],
				 "properties": {"code": {"type": "string", "pattern": "[0-9]{4}-[A-Z]{2}"}}}"""), "the body"))
			.isInstanceOf(Unsatisfiable.class)
			.hasMessageContaining("the body.code")
			.hasMessageContaining("[0-9]{4}-[A-Z]{2}");
		assertThatThrownBy(
				() -> this.values.of(JSON.readTree("{\"type\": \"string\", \"format\": \"binary\"}"), "file"))
			.isInstanceOf(Unsatisfiable.class)
			.hasMessageContaining("file is binary content");
	}

}
