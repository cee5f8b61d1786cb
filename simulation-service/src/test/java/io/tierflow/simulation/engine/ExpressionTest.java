package io.tierflow.simulation.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.tierflow.simulation.engine.Expression.Apply;
import io.tierflow.simulation.engine.Expression.Constant;
import io.tierflow.simulation.engine.Expression.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The expression language: precedence, conditions, functions and IEEE behaviour, run
 * through the whole engine, and the block compiler checked against a tree walk.
 */
class ExpressionTest {

	private static final MonteCarloEngine engine = new MonteCarloEngine(1);

	@AfterAll
	static void closeEngine() {
		engine.close();
	}

	@ParameterizedTest(name = "{0} = {1}")
	@CsvSource(delimiter = ';',
			value = { "2 + 3 * 4; 14", "(2 + 3) * 4; 20", "10 - 4 - 3; 3", "100 / 10 / 5; 2", "2 ^ 3 ^ 2; 512",
					"-2 ^ 2; -4", "(-2) ^ 2; 4", "2 ^ -1; 0.5", "-a + b; 1", "a - -b; 5", "a * b + c; 11",
					"a + b * c; 17", "a × b ÷ c − 1; 0.2", "1.5e2 + .5; 150.5", "min(a, b, c, 7); 2",
					"max(a, b, c, 7); 7", "min(a); 2", "max(c - 10, 0); 0", "exp(0) + log(1); 1",
					"sqrt(16) + abs(-3); 7", "if(a < b, 10, 20); 10", "if(a > b, 10, 20); 20",
					"if(a <= 2 and b >= 3, 1, 0); 1", "if(a == 2 && b != 2, 1, 0); 1", "if(a > 5 or b > 5, 1, 0); 0",
					"if(a > 5 || b == 3, 1, 0); 1", "if(not a > 5, 1, 0); 1", "if(!(a < 5), 1, 0); 0", "not 0; 1",
					"not 2; 0", "a < b; 1", "a >= b; 0", "if(a < b and b < c or c < a, 1, 0); 1",
					"not a < b and b < c; 0", "if(1, 2, 3) * 2; 4", "a * (b + (c - (a * b))); 4" })
	void evaluatesWithTheUsualPrecedence(String expression, double expected) {
		assertThat(evaluate(expression).mean()).isCloseTo(expected, within(1e-12));
	}

	@Test
	void divisionByZeroGivesInfinityAndZeroByZeroIsAnInvalidIteration() {
		OutputStatistics infinite = evaluate("a / 0");
		assertThat(infinite.mean()).isEqualTo(Double.POSITIVE_INFINITY);
		assertThat(infinite.max()).isEqualTo(Double.POSITIVE_INFINITY);
		assertThat(evaluate("-a / 0").mean()).isEqualTo(Double.NEGATIVE_INFINITY);
		assertThat(evaluate("log(0)").mean()).isEqualTo(Double.NEGATIVE_INFINITY);

		OutputStatistics nan = evaluate("(a - a) / (b - b)");
		assertThat(nan.count()).isZero();
		assertThat(nan.invalid()).isEqualTo(3);
		assertThat(nan.mean()).isNaN();
		assertThat(evaluate("sqrt(-a)").invalid()).isEqualTo(3);
		assertThat(evaluate("log(-1)").invalid()).isEqualTo(3);
	}

	@Test
	void aNanConditionIsFalseForLogicButNanForIf() {
		assertThat(evaluate("if(0/0, 1, 2)").invalid()).isEqualTo(3);
		assertThat(evaluate("(0/0) or 0").mean()).isZero();
		assertThat(evaluate("not (0/0)").mean()).isEqualTo(1);
		assertThat(evaluate("0/0 == 0/0").mean()).isZero();
	}

	@Test
	void outputsCanUseOtherOutputsDeclaredInAnyOrder() {
		MonteCarloModel model = MonteCarloModel.builder()
			.input("a", Distribution.fixed(2))
			.output("total", "part + 1")
			.output("part", "a * 10")
			.build();
		SimulationResult result = engine.run(model, new RunSettings(5, 1));
		assertThat(result.output("total").mean()).isEqualTo(21);
		assertThat(result.output("part").mean()).isEqualTo(20);
	}

	@Test
	void compiledBlocksAgreeWithATreeWalkIterationByIteration() throws Exception {
		List<String> inputs = List.of("a", "b", "c");
		List<String> expressions = List.of("if(a > b and not c < 0.2, max(a, b, c, 0.5) - a * b, min(c, a) / (b + 1))",
				"((a + b) * (c - a) / (b + 0.5)) ^ 2 - sqrt(abs(a - c)) + exp(-b) * log(c + 1)",
				"if(a < 0.5, if(b < 0.5, 1, 2), if(c < 0.5, 3, 4)) + -a", "max(min(a, b), min(b, c), min(a, c))");
		Map<String, Expression> parsed = new LinkedHashMap<>();
		List<String> outputs = new ArrayList<>();
		for (int i = 0; i < expressions.size(); i++) {
			outputs.add("out" + i);
			parsed.put("out" + i, ExpressionParser.parse(expressions.get(i)));
		}
		BlockProgram program = BlockProgram.compile(inputs, outputs, parsed, outputs);
		int n = 1000;
		double[][] slots = program.newSlots(n);
		SplittableRandom random = new SplittableRandom(5);
		for (int s = 0; s < inputs.size(); s++) {
			for (int i = 0; i < n; i++) {
				slots[s][i] = random.nextDouble();
			}
		}
		program.run(slots, n);
		for (int i = 0; i < n; i++) {
			Map<String, Double> values = Map.of("a", slots[0][i], "b", slots[1][i], "c", slots[2][i]);
			for (int o = 0; o < outputs.size(); o++) {
				assertThat(slots[inputs.size() + o][i]).isEqualTo(walk(parsed.get("out" + o), values));
			}
		}
	}

	private static double walk(Expression expression, Map<String, Double> values) {
		if (expression instanceof Constant constant) {
			return constant.value();
		}
		if (expression instanceof Reference reference) {
			return values.get(reference.name());
		}
		Apply apply = (Apply) expression;
		return apply.operation()
			.apply(apply.operands().stream().mapToDouble((operand) -> walk(operand, values)).toArray());
	}

	/** The expression over inputs a = 2, b = 3, c = 5, computed for 3 iterations. */
	private static OutputStatistics evaluate(String expression) {
		MonteCarloModel model = MonteCarloModel.builder()
			.input("a", Distribution.fixed(2))
			.input("b", Distribution.fixed(3))
			.input("c", Distribution.fixed(5))
			.output("result", expression)
			.build();
		return engine.run(model, new RunSettings(3, 1)).output("result");
	}

}
