package io.tierflow.simulation.engine;

import java.util.List;

/**
 * The syntax tree of an output's expression, as {@link ExpressionParser} reads it.
 * Operators and functions share one node type: to the compiler they are all operations on
 * blocks of values.
 */
sealed interface Expression {

	/** A number written in the expression. */
	record Constant(double value) implements Expression {

	}

	/** An input or output by name, at its 1-based position in the text. */
	record Reference(String name, int position) implements Expression {

	}

	/** An operator or function applied to its operands. */
	record Apply(Operation operation, List<Expression> operands) implements Expression {

		public Apply {
			operands = List.copyOf(operands);
		}

	}

	/** Collects the names the expression refers to, with their positions. */
	static void references(Expression expression, List<Reference> into) {
		if (expression instanceof Reference reference) {
			into.add(reference);
		}
		else if (expression instanceof Apply apply) {
			for (Expression operand : apply.operands()) {
				references(operand, into);
			}
		}
	}

}
