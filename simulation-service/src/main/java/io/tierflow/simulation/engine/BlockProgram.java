package io.tierflow.simulation.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tierflow.simulation.engine.Expression.Apply;
import io.tierflow.simulation.engine.Expression.Constant;
import io.tierflow.simulation.engine.Expression.Reference;

/**
 * The outputs' expressions compiled to a straight-line program over blocks of iterations:
 * every instruction applies one operation to whole arrays, so the cost of interpreting
 * the tree is paid once per block and the per-iteration work is a tight loop over doubles
 * that the JIT compiles (and, where it can, vectorises) once.
 * <p>
 * Values live in slots, one array per slot: the inputs first, then the outputs in the
 * model's order, then constants and temporaries. Both branches of an {@code if} are
 * computed and the result selected per iteration, which is cheaper than branching in a
 * block and cannot fail: arithmetic on doubles never throws (x/0 is ±Infinity, 0/0, log
 * and sqrt of a negative are NaN).
 */
final class BlockProgram {

	private final int slotCount;

	private final int[] constantSlots;

	private final double[] constantValues;

	private final Operation[] operations;

	/** {@code null} operation: copy {@code a} to {@code target}. */
	private final int[] targets;

	private final int[] as;

	private final int[] bs;

	private final int[] cs;

	private BlockProgram(Compiler compiler) {
		this.slotCount = compiler.slotCount;
		this.constantSlots = compiler.constantSlots.stream().mapToInt(Integer::intValue).toArray();
		this.constantValues = compiler.constantValues.stream().mapToDouble(Double::doubleValue).toArray();
		int size = compiler.operations.size();
		this.operations = compiler.operations.toArray(new Operation[0]);
		this.targets = new int[size];
		this.as = new int[size];
		this.bs = new int[size];
		this.cs = new int[size];
		for (int i = 0; i < size; i++) {
			int[] instruction = compiler.instructions.get(i);
			this.targets[i] = instruction[0];
			this.as[i] = instruction[1];
			this.bs[i] = instruction[2];
			this.cs[i] = instruction[3];
		}
	}

	/**
	 * Compiles the outputs in {@code order} (each after the outputs it uses).
	 * @param inputs the inputs' names, in slot order
	 * @param outputs the outputs' names, in slot order
	 * @param expressions every output's expression, by name, with every name resolved
	 * @param order the outputs in an order of evaluation
	 */
	static BlockProgram compile(List<String> inputs, List<String> outputs, Map<String, Expression> expressions,
			List<String> order) {
		Compiler compiler = new Compiler(inputs, outputs);
		for (String output : order) {
			compiler.compileOutput(compiler.slots.get(output), fold(expressions.get(output)));
		}
		return new BlockProgram(compiler);
	}

	/** Evaluates operations whose operands are all constants once, at compile time. */
	static Expression fold(Expression expression) {
		return Expression.reduce(expression, (leaf) -> leaf, (apply, operands) -> {
			if (operands.stream().allMatch(Constant.class::isInstance)) {
				double[] values = operands.stream().mapToDouble((operand) -> ((Constant) operand).value()).toArray();
				return new Constant(apply.operation().apply(values));
			}
			return new Apply(apply.operation(), operands);
		});
	}

	int slotCount() {
		return this.slotCount;
	}

	/** Working arrays for one thread, with the constants already in place. */
	double[][] newSlots(int blockSize) {
		double[][] slots = new double[this.slotCount][blockSize];
		for (int i = 0; i < this.constantSlots.length; i++) {
			Arrays.fill(slots[this.constantSlots[i]], this.constantValues[i]);
		}
		return slots;
	}

	/**
	 * Computes every output for the first {@code n} iterations held in the input slots.
	 */
	void run(double[][] slots, int n) {
		for (int k = 0; k < this.operations.length; k++) {
			double[] t = slots[this.targets[k]];
			double[] a = slots[this.as[k]];
			double[] b = (this.bs[k] >= 0) ? slots[this.bs[k]] : null;
			Operation operation = this.operations[k];
			if (operation == null) {
				System.arraycopy(a, 0, t, 0, n);
				continue;
			}
			switch (operation) {
				case NEGATE -> negate(t, a, n);
				case NOT -> not(t, a, n);
				case ADD -> add(t, a, b, n);
				case SUBTRACT -> subtract(t, a, b, n);
				case MULTIPLY -> multiply(t, a, b, n);
				case DIVIDE -> divide(t, a, b, n);
				case POWER -> power(t, a, b, n);
				case LESS -> less(t, a, b, n);
				case LESS_OR_EQUAL -> lessOrEqual(t, a, b, n);
				case GREATER -> less(t, b, a, n);
				case GREATER_OR_EQUAL -> lessOrEqual(t, b, a, n);
				case EQUAL -> equal(t, a, b, n);
				case NOT_EQUAL -> notEqual(t, a, b, n);
				case AND -> and(t, a, b, n);
				case OR -> or(t, a, b, n);
				case MIN -> min(t, a, b, n);
				case MAX -> max(t, a, b, n);
				case EXP -> exp(t, a, n);
				case LOG -> log(t, a, n);
				case SQRT -> sqrt(t, a, n);
				case ABS -> abs(t, a, n);
				case IF -> select(t, a, b, slots[this.cs[k]], n);
			}
		}
	}

	// One small method per operation: each is compiled on its own with a simple counted
	// loop, which is what the JIT unrolls and vectorises best.

	private static void negate(double[] t, double[] a, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = -a[i];
		}
	}

	private static void not(double[] t, double[] a, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = (a[i] != 0 && a[i] == a[i]) ? 0 : 1;
		}
	}

	private static void add(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = a[i] + b[i];
		}
	}

	private static void subtract(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = a[i] - b[i];
		}
	}

	private static void multiply(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = a[i] * b[i];
		}
	}

	private static void divide(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = a[i] / b[i];
		}
	}

	private static void power(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = Math.pow(a[i], b[i]);
		}
	}

	private static void less(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = (a[i] < b[i]) ? 1 : 0;
		}
	}

	private static void lessOrEqual(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = (a[i] <= b[i]) ? 1 : 0;
		}
	}

	private static void equal(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = (a[i] == b[i]) ? 1 : 0;
		}
	}

	private static void notEqual(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = (a[i] != b[i]) ? 1 : 0;
		}
	}

	private static void and(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = (a[i] != 0 && a[i] == a[i] && b[i] != 0 && b[i] == b[i]) ? 1 : 0;
		}
	}

	private static void or(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = ((a[i] != 0 && a[i] == a[i]) || (b[i] != 0 && b[i] == b[i])) ? 1 : 0;
		}
	}

	private static void min(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = Math.min(a[i], b[i]);
		}
	}

	private static void max(double[] t, double[] a, double[] b, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = Math.max(a[i], b[i]);
		}
	}

	private static void exp(double[] t, double[] a, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = Math.exp(a[i]);
		}
	}

	private static void log(double[] t, double[] a, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = Math.log(a[i]);
		}
	}

	private static void sqrt(double[] t, double[] a, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = Math.sqrt(a[i]);
		}
	}

	private static void abs(double[] t, double[] a, int n) {
		for (int i = 0; i < n; i++) {
			t[i] = Math.abs(a[i]);
		}
	}

	private static void select(double[] t, double[] condition, double[] then, double[] otherwise, int n) {
		for (int i = 0; i < n; i++) {
			double c = condition[i];
			t[i] = (c != c) ? Double.NaN : ((c != 0) ? then[i] : otherwise[i]);
		}
	}

	/** Allocates slots and emits instructions, reusing temporaries once consumed. */
	private static final class Compiler {

		private final Map<String, Integer> slots = new HashMap<>();

		private final Map<Double, Integer> constants = new HashMap<>();

		private final List<Integer> constantSlots = new ArrayList<>();

		private final List<Double> constantValues = new ArrayList<>();

		private final List<Operation> operations = new ArrayList<>();

		private final List<int[]> instructions = new ArrayList<>();

		private final Deque<Integer> freeTemporaries = new ArrayDeque<>();

		private final Set<Integer> temporaries = new HashSet<>();

		/** The temporaries in {@link #freeTemporaries}, to look them up in O(1). */
		private final Set<Integer> free = new HashSet<>();

		private int slotCount;

		Compiler(List<String> inputs, List<String> outputs) {
			for (String input : inputs) {
				this.slots.put(input, this.slotCount++);
			}
			for (String output : outputs) {
				this.slots.put(output, this.slotCount++);
			}
		}

		/**
		 * Emits the instructions computing {@code expression} into {@code target},
		 * operands before the operations that use them. A temporary is taken once its
		 * operands are computed and given back once its value is used, so a chain
		 * {@code a + b + c + ...} of any length needs two.
		 */
		void compileOutput(int target, Expression expression) {
			if (!(expression instanceof Apply)) {
				emit(null, target, operand(expression), -1, -1);
				return;
			}
			Expression.reduce(expression, this::operand, (apply, operands) -> {
				int[] slots = operands.stream().mapToInt(Integer::intValue).toArray();
				// The target is never one of the operands: min and max accumulate in it,
				// which would overwrite an operand still to be read.
				int result = (apply == expression) ? target
						: (this.freeTemporaries.isEmpty() ? newTemporary() : this.freeTemporaries.pop());
				compileApply(apply.operation(), slots, result);
				for (int slot : slots) {
					if (this.temporaries.contains(slot) && this.free.add(slot)) {
						this.freeTemporaries.push(slot);
					}
				}
				this.free.remove(result);
				return result;
			});
		}

		/** The slot holding the value of a constant or a reference. */
		private int operand(Expression expression) {
			if (expression instanceof Constant constant) {
				// Double.equals compares bits, so -0.0 and 0.0 stay distinct constants.
				return this.constants.computeIfAbsent(constant.value(), (value) -> {
					int slot = this.slotCount++;
					this.constantSlots.add(slot);
					this.constantValues.add(value);
					return slot;
				});
			}
			return this.slots.get(((Reference) expression).name());
		}

		private int newTemporary() {
			int slot = this.slotCount++;
			this.temporaries.add(slot);
			return slot;
		}

		private void compileApply(Operation operation, int[] slots, int target) {
			if (operation == Operation.MIN || operation == Operation.MAX) {
				// n-ary: a chain of pairwise operations accumulating in the target, which
				// is safe in place because each element depends only on the same index.
				if (slots.length == 1) {
					emit(null, target, slots[0], -1, -1);
				}
				else {
					emit(operation, target, slots[0], slots[1], -1);
					for (int i = 2; i < slots.length; i++) {
						emit(operation, target, target, slots[i], -1);
					}
				}
			}
			else {
				emit(operation, target, slots[0], (slots.length > 1) ? slots[1] : -1,
						(slots.length > 2) ? slots[2] : -1);
			}
		}

		private void emit(Operation operation, int target, int a, int b, int c) {
			this.operations.add(operation);
			this.instructions.add(new int[] { target, a, b, c });
		}

	}

}
