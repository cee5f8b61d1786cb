package io.tierflow.simulation.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

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

	/** Collects the names the expression refers to, with their positions, in order. */
	static void references(Expression expression, List<Reference> into) {
		reduce(expression, (leaf) -> {
			if (leaf instanceof Reference reference) {
				into.add(reference);
			}
			return null;
		}, (apply, operands) -> null);
	}

	/**
	 * Computes a value for the tree bottom-up, operands left to right, without recursion:
	 * {@code a + b + c + ...} is a tree as deep as the chain is long, thousands of levels
	 * in an expression of a few kilobytes, which a recursive walk would overflow the
	 * stack on.
	 * @param leaf the value of a constant or a reference
	 * @param apply the value of an operation, given its operands' values in order
	 */
	static <R> R reduce(Expression expression, Function<Expression, R> leaf, BiFunction<Apply, List<R>, R> apply) {
		// Nodes being reduced, each with the index of its next operand to visit.
		Deque<Expression> nodes = new ArrayDeque<>();
		Deque<int[]> next = new ArrayDeque<>();
		List<R> values = new ArrayList<>();
		nodes.push(expression);
		next.push(new int[1]);
		while (!nodes.isEmpty()) {
			Expression node = nodes.peek();
			int[] operand = next.peek();
			if (node instanceof Apply operation && operand[0] < operation.operands().size()) {
				nodes.push(operation.operands().get(operand[0]++));
				next.push(new int[1]);
				continue;
			}
			nodes.pop();
			next.pop();
			if (node instanceof Apply operation) {
				List<R> operands = values.subList(values.size() - operation.operands().size(), values.size());
				R value = apply.apply(operation, new ArrayList<>(operands));
				operands.clear();
				values.add(value);
			}
			else {
				values.add(leaf.apply(node));
			}
		}
		return values.get(0);
	}

}
