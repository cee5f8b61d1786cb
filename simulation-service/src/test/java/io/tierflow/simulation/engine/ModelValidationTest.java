package io.tierflow.simulation.engine;

import java.util.List;
import java.util.function.UnaryOperator;

import io.tierflow.simulation.engine.ModelFault.Kind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

/** Every fault a model can have, with the words its author will read. */
class ModelValidationTest {

	@Test
	void rejectsAModelWithoutOutputs() {
		assertThat(faults((model) -> model.input("x", Distribution.normal(0, 1)))).containsExactly(new ModelFault(
				"model", Kind.EMPTY_MODEL, "The model has no outputs: add at least one output to compute"));
		assertThat(faults((model) -> model)).extracting(ModelFault::kind).containsExactly(Kind.EMPTY_MODEL);
	}

	@Test
	void rejectsBadDistributionParameters() {
		List<ModelFault> faults = faults((model) -> model.input("a", Distribution.normal(1, 0))
			.input("b", Distribution.lognormal(-5, 1))
			.input("c", Distribution.uniform(3, 3))
			.input("d", Distribution.triangular(0, 11, 10))
			.input("e", Distribution.pert(5, 1, 2))
			.input("f", Distribution.discrete(List.of(1.0, 2.0), List.of(0.5, 0.6)))
			.input("g", Distribution.discrete(List.of(1.0, 2.0), List.of(1.0)))
			.input("h", Distribution.discrete(List.of(), List.of()))
			.input("i", Distribution.discrete(List.of(1.0, 2.0), List.of(-0.5, 1.5)))
			.input("j", Distribution.fixed(Double.NaN))
			.input("k", Distribution.normal(Double.POSITIVE_INFINITY, -1))
			.input("l", null)
			.output("y", "a"));
		assertThat(faults).allSatisfy((fault) -> assertThat(fault.kind()).isEqualTo(Kind.BAD_PARAMETER))
			.extracting(ModelFault::subject, ModelFault::message)
			.containsExactly(tuple("a", "Input 'a' (normal): the standard deviation must be greater than 0, got 0.0"),
					tuple("b", "Input 'b' (lognormal): the mean of a lognormal must be greater than 0, got -5.0"),
					tuple("c",
							"Input 'c' (uniform): the minimum must be less than the maximum, got min 3.0 and max 3.0"),
					tuple("d",
							"Input 'd' (triangular): the most likely value must lie between the minimum and the"
									+ " maximum, got 11.0 outside [0.0, 10.0]"),
					tuple("e", "Input 'e' (pert): the minimum must be less than the maximum, got min 5.0 and max 2.0"),
					tuple("f", "Input 'f' (discrete): the probabilities must sum to 1, they sum to 1.1"),
					tuple("g",
							"Input 'g' (discrete): a discrete distribution needs one probability per value, got 2"
									+ " values and 1 probabilities"),
					tuple("h", "Input 'h' (discrete): a discrete distribution needs at least one value"),
					tuple("i", "Input 'i' (discrete): probability 1 must be a number between 0 and 1, got -0.5"),
					tuple("i", "Input 'i' (discrete): probability 2 must be a number between 0 and 1, got 1.5"),
					tuple("j", "Input 'j' (fixed): the value must be a finite number, got NaN"),
					tuple("k", "Input 'k' (normal): the mean must be a finite number, got Infinity"),
					tuple("k", "Input 'k' (normal): the standard deviation must be greater than 0, got -1.0"),
					tuple("l", "Input 'l': has no distribution"));
	}

	@Test
	void rejectsDuplicateInvalidAndReservedNames() {
		List<ModelFault> faults = faults((model) -> model.input("x", Distribution.fixed(1))
			.input("x", Distribution.fixed(2))
			.input("2x", Distribution.fixed(2))
			.input("max", Distribution.fixed(2))
			.input("", Distribution.fixed(2))
			.output("x", "1")
			.output("y", "x"));
		assertThat(faults).allSatisfy((fault) -> assertThat(fault.kind()).isEqualTo(Kind.BAD_NAME))
			.extracting(ModelFault::subject, ModelFault::message)
			.containsExactly(
					tuple("x",
							"The name 'x' is used by 3 inputs and outputs: every input and output needs a name of"
									+ " its own"),
					tuple("2x",
							"Input '2x' has a name that cannot be used in expressions: use letters, digits and"
									+ " '_', starting with a letter or '_'"),
					tuple("max", "Input 'max' has the name of an operator or function: choose another name"),
					tuple("5", "Input number 5 has no name"));
	}

	@Test
	void reportsSyntaxErrorsWithTheirPosition() {
		List<ModelFault> faults = faults((model) -> model.input("a", Distribution.fixed(1))
			.output("p", "max(a, 2")
			.output("q", "a + * 2")
			.output("r", "a < 1 < 2")
			.output("s", "foo(a)")
			.output("t", "if(a, 1)")
			.output("u", "a 2")
			.output("v", "  ")
			.output("w", "1.2.3")
			.output("x", "a # 2")
			.output("y", "and + 1"));
		assertThat(faults).allSatisfy((fault) -> assertThat(fault.kind()).isEqualTo(Kind.SYNTAX_ERROR))
			.extracting(ModelFault::message)
			.containsExactly(
					"Output 'p': expected ')' but found the end of the expression at position 9 of \"max(a, 2\"",
					"Output 'q': expected a number, a name or '(' but found '*' at position 5 of \"a + * 2\"",
					"Output 'r': comparisons cannot be chained; combine them with 'and' at position 7 of \"a < 1 < 2\"",
					"Output 's': unknown function 'foo'; the functions are min, max, exp, log, sqrt, abs and if at"
							+ " position 1 of \"foo(a)\"",
					"Output 't': function 'if' takes 3 arguments, got 2 at position 1 of \"if(a, 1)\"",
					"Output 'u': unexpected '2' after a complete expression at position 3 of \"a 2\"",
					"Output 'v': the expression is empty at position 1 of \"  \"",
					"Output 'w': '1.2.3' is not a number at position 1 of \"1.2.3\"",
					"Output 'x': unexpected '#' after a complete expression at position 3 of \"a # 2\"",
					"Output 'y': 'and' is a reserved word and cannot be used as a value at position 1 of \"and + 1\"");
	}

	@Test
	void reportsUnknownNamesWithASuggestion() {
		List<ModelFault> faults = faults((model) -> model.input("revenue", Distribution.fixed(1))
			.input("cost", Distribution.fixed(1))
			.output("profit", "revnue - cost - tax"));
		assertThat(faults).extracting(ModelFault::subject, ModelFault::kind, ModelFault::message)
			.containsExactly(
					tuple("profit", Kind.UNKNOWN_NAME,
							"Output 'profit' uses 'revnue' at position 1, which is neither an input nor an output"
									+ " (did you mean 'revenue'?)"),
					tuple("profit", Kind.UNKNOWN_NAME,
							"Output 'profit' uses 'tax' at position 17, which is neither an input nor an output"));
	}

	@Test
	void namesEveryCycleAmongOutputs() {
		List<ModelFault> faults = faults((model) -> model.input("a", Distribution.fixed(1))
			.output("x", "y + a")
			.output("y", "z * 2")
			.output("z", "x - 1")
			.output("self", "self + 1")
			.output("fine", "a + 1"));
		assertThat(faults).extracting(ModelFault::subject, ModelFault::kind, ModelFault::message)
			.containsExactly(
					tuple("x", Kind.CYCLE,
							"Outputs depend on each other in a cycle, so none of them can be computed: x → y → z → x"),
					tuple("self", Kind.CYCLE,
							"Outputs depend on each other in a cycle, so none of them can be computed: self → self"));
	}

	@Test
	void rejectsBadCorrelations() {
		List<ModelFault> faults = faults((model) -> model.input("a", Distribution.normal(0, 1))
			.input("b", Distribution.normal(0, 1))
			.input("k", Distribution.fixed(1))
			.output("y", "a + b")
			.correlate("a", "nope", 0.5)
			.correlate("a", "y", 0.5)
			.correlate("a", "a", 0.5)
			.correlate("a", "b", 1.5)
			.correlate("a", "b", 0.3)
			.correlate("b", "a", 0.2)
			.correlate("a", "k", 0.2));
		assertThat(faults).allSatisfy((fault) -> assertThat(fault.kind()).isEqualTo(Kind.BAD_CORRELATION))
			.extracting(ModelFault::subject, ModelFault::message)
			.containsExactly(tuple("a~nope", "Correlation a~nope: 'nope' is not an input of the model"),
					tuple("a~y", "Correlation a~y: 'y' is an output; only inputs can be correlated"),
					tuple("a~a", "Correlation a~a: an input cannot be correlated with itself"),
					tuple("a~b", "Correlation a~b: the rank correlation must be between -1 and 1, got 1.5"),
					tuple("b~a", "Correlation b~a is given more than once: give each pair of inputs one correlation"),
					tuple("a~k", "Correlation a~k: input 'k' has a fixed value, which cannot be correlated"));
	}

	@Test
	void rejectsCorrelationsThatContradictEachOther() {
		// a and b move together, b and c too, yet a and c oppose: no such variables
		// exist.
		List<ModelFault> faults = faults((model) -> model.input("a", Distribution.normal(0, 1))
			.input("b", Distribution.normal(0, 1))
			.input("c", Distribution.uniform(0, 1))
			.input("d", Distribution.uniform(0, 1))
			.input("e", Distribution.uniform(0, 1))
			.output("y", "a + b + c + d + e")
			.correlate("a", "b", 0.9)
			.correlate("b", "c", 0.9)
			.correlate("a", "c", -0.9)
			.correlate("d", "e", 0.5));
		assertThat(faults).containsExactly(new ModelFault("a,b,c", Kind.INCONSISTENT_CORRELATIONS,
				"The correlations a~b = 0.9, b~c = 0.9, a~c = -0.9 contradict each other (their matrix is not positive"
						+ " definite; a correlation of exactly ±1 is not supported either): weaken some of them"));
	}

	@Test
	void reportsEveryFaultAtOnce() {
		ModelException exception = catchThrowableOfType(ModelException.class,
				() -> MonteCarloModel.builder()
					.input("a", Distribution.normal(0, -1))
					.output("y", "a +")
					.output("z", "b")
					.build());
		assertThat(exception.faults()).extracting(ModelFault::kind)
			.containsExactly(Kind.BAD_PARAMETER, Kind.SYNTAX_ERROR, Kind.UNKNOWN_NAME);
		assertThat(exception).hasMessageStartingWith("The model has 3 problems: Input 'a' (normal)");
	}

	@Test
	void acceptsAValidModel() {
		MonteCarloModel model = MonteCarloModel.builder()
			.input("a", Distribution.normal(0, 1))
			.input("b", Distribution.pert(0, 1, 3))
			.correlate("a", "b", 0.99)
			.output("y", "a * b")
			.build();
		assertThat(model.inputs()).extracting(MonteCarloModel.Input::name).containsExactly("a", "b");
		assertThat(model.outputs()).extracting(MonteCarloModel.Output::expression).containsExactly("a * b");
		assertThat(model.correlations()).containsExactly(new Correlation("a", "b", 0.99));
	}

	private static List<ModelFault> faults(UnaryOperator<MonteCarloModel.Builder> definition) {
		ModelException exception = catchThrowableOfType(ModelException.class,
				() -> definition.apply(MonteCarloModel.builder()).build());
		assertThat(exception).as("the model is rejected").isNotNull();
		return exception.faults();
	}

}
