package io.tierflow.deploy;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A YAML mapper that refuses any field its target type does not declare. fabric8's and
 * Strimzi's models keep unknown fields in an "any setter" map
 * ({@code additionalProperties}) instead of failing; this mapper sees no any-setter, so a
 * misspelt or misplaced field fails like it would at
 * {@code kubectl apply --validate=strict}.
 */
final class StrictMapper {

	static final YAMLMapper YAML = YAMLMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.annotationIntrospector(new NoAnySetter())
		.build();

	private StrictMapper() {
	}

	private static final class NoAnySetter extends JacksonAnnotationIntrospector {

		@Override
		public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
			return Boolean.FALSE;
		}

	}

}
