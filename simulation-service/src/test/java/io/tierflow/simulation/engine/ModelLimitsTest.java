package io.tierflow.simulation.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.tierflow.simulation.engine.ModelFault.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The bounds on checking a model: nesting refused before the parser descends into it,
 * chains of any length walked without recursion, and faults listed up to a cap.
 */
class ModelLimitsTest {

	@ParameterizedTest
	@CsvSource({ "(, 65", "-, 65", "'not ', 257", "!, 65", "+, 65", "abs(, 257", "2^, 130" })
	void refusesNestingDeeperThanTheLimitWhereItGoesBeyond(String level, int position) {
		String expression = level.repeat(1000) + "a" + (level.endsWith("(") ? ")".repeat(1000) : "");
		ModelException ex = catchThrowableOfType(ModelException.class,
				() -> MonteCarloModel.builder()
					.input("a", Distribution.fixed(1))
					.output("y", expression)
					.limits(new ModelLimits(64, 50))
					.build());
		assertThat(ex.faults()).singleElement().satisfies((fault) -> {
			assertThat(fault.kind()).isEqualTo(Kind.TOO_DEEP);
			assertThat(fault.message()).contains("deeper than the limit of 64 levels")
				.contains("at position " + position + " of \"");
			// A long expression is quoted around the position only.
			assertThat(fault.message().length()).isLessThan(200);
		});
	}

	@Test
	void acceptsNestingUpToTheLimit() {
		MonteCarloModel model = MonteCarloModel.builder()
			.input("a", Distribution.fixed(1))
			.output("y", "(".repeat(63) + "abs(a)" + ")".repeat(63))
			.build();
		assertThat(model.outputs()).hasSize(1);
	}

	@Test
	void computesChainsOfThousandsOfTermsWithAFewTemporaries() throws Exception {
		// A tree 5,000 levels deep: parsed, folded and compiled without recursing.
		String sum = IntStream.range(0, 5000).mapToObj((i) -> "a").collect(Collectors.joining(" + "));
		String mixed = IntStream.range(0, 2000).mapToObj((i) -> "a * " + i).collect(Collectors.joining(" - "));
		Map<String, Expression> parsed = new LinkedHashMap<>();
		parsed.put("sum", ExpressionParser.parse(sum));
		parsed.put("mixed", ExpressionParser.parse(mixed));
		List<String> outputs = new ArrayList<>(parsed.keySet());
		BlockProgram program = BlockProgram.compile(List.of("a"), outputs, parsed, outputs);
		// a, two outputs, 2,000 distinct constants, and the temporaries.
		assertThat(program.slotCount()).isLessThanOrEqualTo(3 + 2000 + 3);
		double[][] slots = program.newSlots(2);
		slots[0][0] = 1;
		slots[0][1] = 2;
		program.run(slots, 2);
		assertThat(slots[1]).containsExactly(5000, 10000);
		double mixedOfOne = 0 - IntStream.range(1, 2000).sum();
		assertThat(slots[2]).containsExactly(mixedOfOne, 2 * mixedOfOne);
	}

	@Test
	void listsTheFirstFaultsAndCountsTheRest() {
		String unknown = IntStream.range(0, 3000).mapToObj((i) -> "u" + i).collect(Collectors.joining("+"));
		ModelException ex = catchThrowableOfType(ModelException.class,
				() -> MonteCarloModel.builder()
					.input("u", Distribution.fixed(1))
					.output("y", unknown)
					.limits(new ModelLimits(64, 50))
					.build());
		assertThat(ex.faults()).hasSize(50)
			.allSatisfy((fault) -> assertThat(fault.kind()).isEqualTo(Kind.UNKNOWN_NAME));
		assertThat(ex.count()).isEqualTo(3000);
		assertThat(ex.faults().get(0).message()).isEqualTo(
				"Output 'y' uses 'u0' at position 1, which is neither an input nor an output (did you mean 'u'?)");
		assertThat(ex).hasMessageEndingWith("; and 2950 more");
	}

	@Test
	void refusesLimitsThatCannotWork() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ModelLimits(0, 50));
		assertThatIllegalArgumentException().isThrownBy(() -> new ModelLimits(64, 0));
	}

}
