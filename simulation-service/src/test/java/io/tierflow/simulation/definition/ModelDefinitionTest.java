package io.tierflow.simulation.definition;

import io.tierflow.simulation.engine.MonteCarloModel;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ModelDefinitionTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void translatesEveryDistributionCorrelationsAndOutputs() {
		MonteCarloModel model = ModelDefinition.compile(json("""
				{"inputs": [
				  {"name": "a", "distribution": {"type": "normal", "mean": 10, "sd": 2}},
				  {"name": "b", "distribution": {"type": "lognormal", "mean": 10, "sd": 2}},
				  {"name": "c", "distribution": {"type": "uniform", "min": 0, "max": 1}},
				  {"name": "d", "distribution": {"type": "triangular", "min": 0, "mode": 1, "max": 3}},
				  {"name": "e", "distribution": {"type": "pert", "min": 0, "mode": 1, "max": 3}},
				  {"name": "f", "distribution": {"type": "discrete", "values": [1, 2], "probabilities": [0.5, 0.5]}},
				  {"name": "g", "distribution": {"type": "fixed", "value": 5}}],
				 "correlations": [{"between": ["a", "b"], "rho": 0.5}],
				 "outputs": [{"name": "total", "expression": "a + b + c + d + e + f + g"}]}
				"""));
		assertThat(model.inputs()).hasSize(7);
		assertThat(model.correlations()).hasSize(1);
		assertThat(model.outputs()).singleElement().satisfies((o) -> assertThat(o.name()).isEqualTo("total"));
	}

	@Test
	void reportsEveryShapeFaultWithItsPath() {
		InvalidModelException ex = catchThrowableOfType(InvalidModelException.class,
				() -> ModelDefinition.compile(json("""
						{"inputs": [{"name": 1, "distribution": {"type": "normal", "mean": "x"}}],
						 "correlations": [{"between": ["a"], "rho": 2}],
						 "outputs": "none", "extra": true}
						""")));
		assertThat(ex.faults()).extracting(DefinitionFault::subject)
			.containsExactlyInAnyOrder("definition.extra", "inputs[0].name", "inputs[0].distribution.mean",
					"inputs[0].distribution.sd", "correlations[0].between", "outputs");
		assertThat(ex.faults()).extracting(DefinitionFault::kind).containsOnly(DefinitionFault.INVALID_DEFINITION);
		assertThat(ex.getBody().getStatus()).isEqualTo(422);
		assertThat(ex.getBody().getProperties()).containsKey("faults");
	}

	@Test
	void reportsTheEnginesFaultsByInputAndOutput() {
		InvalidModelException ex = catchThrowableOfType(InvalidModelException.class,
				() -> ModelDefinition.compile(json("""
						{"inputs": [{"name": "a", "distribution": {"type": "uniform", "min": 2, "max": 1}}],
						 "outputs": [{"name": "x", "expression": "a +"}, {"name": "y", "expression": "b"}]}
						""")));
		assertThat(ex.faults()).extracting(DefinitionFault::subject).contains("a", "x", "y");
		assertThat(ex.faults()).extracting(DefinitionFault::kind)
			.contains("BAD_PARAMETER", "SYNTAX_ERROR", "UNKNOWN_NAME");
	}

	@Test
	void anEmptyDefinitionSaysNothingAndCannotRun() {
		assertThat(ModelDefinition.isEmpty(null)).isTrue();
		assertThat(ModelDefinition.isEmpty(json("{}"))).isTrue();
		assertThat(ModelDefinition.isEmpty(json("{\"outputs\": []}"))).isFalse();
		InvalidModelException ex = catchThrowableOfType(InvalidModelException.class,
				() -> ModelDefinition.compile(json("{}")));
		assertThat(ex.faults()).extracting(DefinitionFault::kind).containsExactly("EMPTY_MODEL");
	}

	@Test
	void namesTheLimitAnOverLongExpressionExceeds() {
		InvalidModelException ex = catchThrowableOfType(InvalidModelException.class, () -> ModelDefinition
			.compile(json("{\"outputs\": [{\"name\": \"x\", \"expression\": \"" + "a+".repeat(5000) + "a\"}]}")));
		assertThat(ex.faults()).singleElement()
			.satisfies((fault) -> assertThat(fault.subject()).isEqualTo("outputs[0].expression"));
		assertThat(ex.getBody().getDetail()).contains("maxExpressionLength (10000)");
		assertThat(ex.getBody().getProperties()).containsEntry("limit", "maxExpressionLength")
			.containsEntry("limitValue", 10_000L);
	}

	@Test
	void namesTheDepthLimitAndThePositionOfADeepExpression() {
		InvalidModelException ex = catchThrowableOfType(InvalidModelException.class,
				() -> ModelDefinition.compile(json("{\"inputs\": [{\"name\": \"a\", \"distribution\": "
						+ "{\"type\": \"fixed\", \"value\": 1}}], \"outputs\": [{\"name\": \"x\", \"expression\": \""
						+ "(".repeat(1000) + "a" + ")".repeat(1000) + "\"}]}")));
		assertThat(ex.faults()).extracting(DefinitionFault::kind).containsExactly("TOO_DEEP");
		assertThat(ex.getBody().getDetail()).contains("maxExpressionDepth (64)").contains("at position 65");
		assertThat(ex.getBody().getProperties()).containsEntry("limit", "maxExpressionDepth");
	}

	@Test
	void boundsTheWholeDefinition() {
		DefinitionLimits small = new DefinitionLimits(64, 100, 150, 3, 5, 2, 2);
		InvalidModelException ex = catchThrowableOfType(InvalidModelException.class,
				() -> ModelDefinition.compile(json("""
						{"inputs": [{"name": "a", "distribution": {"type": "fixed", "value": 1}},
						            {"name": "b", "distribution": {"type": "fixed", "value": 1}},
						            {"name": "c", "distribution": {"type": "fixed", "value": 1}},
						            {"name": "d", "distribution": {"type": "fixed", "value": 1}}],
						 "outputs": [{"name": "x", "expression": "%s"}, {"name": "y", "expression": "%s"},
						             {"name": "toolong", "expression": "1"}]}
						""".formatted("1+".repeat(40) + "1", "1+".repeat(40) + "1")), small));
		assertThat(ex.faults()).extracting(DefinitionFault::subject).containsExactly("inputs", "outputs[1].expression");
		assertThat(ex.getBody().getProperties()).containsEntry("faultCount", 3)
			.containsEntry("omittedFaults", 1)
			.containsEntry("limit", "maxItems")
			.containsEntry("limitValue", 3L);
	}

	@Test
	void findsNulCharactersAnywhere() {
		assertThat(ModelDefinition.containsNul(json("{\"a\": [{\"b\": \"x\\u0000\"}]}"))).isTrue();
		assertThat(ModelDefinition.containsNul(json("{\"a\\u0000\": 1}"))).isTrue();
		assertThat(ModelDefinition.containsNul(json("{\"a\": [\"x\"]}"))).isFalse();
	}

	private static JsonNode json(String text) {
		return JSON.readTree(text);
	}

}
