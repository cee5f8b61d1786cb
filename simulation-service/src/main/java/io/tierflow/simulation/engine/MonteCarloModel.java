package io.tierflow.simulation.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import io.tierflow.simulation.engine.Distribution.Fixed;
import io.tierflow.simulation.engine.Distributions.Sampler;
import io.tierflow.simulation.engine.Expression.Reference;
import io.tierflow.simulation.engine.ExpressionParser.SyntaxError;
import io.tierflow.simulation.engine.ModelFault.Kind;

/**
 * A Monte Carlo model that has been checked and compiled: named uncertain inputs, rank
 * correlations between some of them, and outputs computed from inputs and other outputs
 * by expressions in Tierflow's expression language (see {@link ExpressionParser} for the
 * grammar). Built with {@link #builder()}; {@link Builder#build()} either returns a model
 * that can be run or throws a {@link ModelException} listing every fault. Immutable and
 * safe to run concurrently.
 */
public final class MonteCarloModel {

	private final List<Input> inputs;

	private final List<Correlation> correlations;

	private final List<Output> outputs;

	private final BlockProgram program;

	private final Sampler[] samplers;

	private final List<RankCorrelation> rankCorrelations;

	private MonteCarloModel(Builder builder, BlockProgram program, List<RankCorrelation> rankCorrelations) {
		this.inputs = List.copyOf(builder.inputs);
		this.correlations = List.copyOf(builder.correlations);
		this.outputs = List.copyOf(builder.outputs);
		this.program = program;
		this.samplers = this.inputs.stream()
			.map((input) -> Distributions.sampler(input.distribution()))
			.toArray(Sampler[]::new);
		this.rankCorrelations = List.copyOf(rankCorrelations);
	}

	public static Builder builder() {
		return new Builder();
	}

	public List<Input> inputs() {
		return this.inputs;
	}

	public List<Correlation> correlations() {
		return this.correlations;
	}

	public List<Output> outputs() {
		return this.outputs;
	}

	/**
	 * Draws {@code n} iterations of every input into the first slots, then imposes the
	 * rank correlations; all randomness of a block comes from {@code random}, in this
	 * order.
	 */
	void sampleInputs(SplittableRandom random, double[][] slots, int n, RankCorrelation.Workspace workspace) {
		for (int i = 0; i < this.samplers.length; i++) {
			this.samplers[i].fill(random, slots[i], n);
		}
		for (RankCorrelation correlation : this.rankCorrelations) {
			correlation.apply(slots, n, random, workspace);
		}
	}

	BlockProgram program() {
		return this.program;
	}

	List<RankCorrelation> rankCorrelations() {
		return this.rankCorrelations;
	}

	/** An uncertain quantity of the model. */
	public record Input(String name, Distribution distribution) {

	}

	/** A quantity computed in every iteration from inputs and other outputs. */
	public record Output(String name, String expression) {

	}

	/** Collects a model's parts in order; nothing is checked before {@link #build()}. */
	public static final class Builder {

		private final List<Input> inputs = new ArrayList<>();

		private final List<Correlation> correlations = new ArrayList<>();

		private final List<Output> outputs = new ArrayList<>();

		private ModelLimits limits = ModelLimits.DEFAULTS;

		private Builder() {
		}

		/** Bounds of the checks; {@link ModelLimits#DEFAULTS} unless set. */
		public Builder limits(ModelLimits limits) {
			this.limits = java.util.Objects.requireNonNull(limits);
			return this;
		}

		public Builder input(String name, Distribution distribution) {
			this.inputs.add(new Input(name, distribution));
			return this;
		}

		/** Asks for a Spearman rank correlation {@code rho} between two inputs. */
		public Builder correlate(String first, String second, double rho) {
			this.correlations.add(new Correlation(first, second, rho));
			return this;
		}

		public Builder output(String name, String expression) {
			this.outputs.add(new Output(name, expression));
			return this;
		}

		/**
		 * Checks the whole model and compiles it.
		 * @throws ModelException with every fault found: names, distributions,
		 * expressions, cycles, then correlations
		 */
		public MonteCarloModel build() {
			return new Validation(this).run();
		}

	}

	/** Finds every fault of a model, then compiles it if there is none. */
	private static final class Validation {

		private final Builder model;

		private final List<ModelFault> faults = new ArrayList<>();

		/** Faults found, listed or not. */
		private int faultCount;

		/** Suggestions made, by unknown name: the same typo costs one search. */
		private final Map<String, String> suggestions = new HashMap<>();

		/** Known names of at most this length, the longest that gets a suggestion. */
		private static final int SUGGESTED_NAME_LENGTH = 64;

		private final Map<String, Integer> inputIndexes = new HashMap<>();

		private final Set<String> outputNames = new HashSet<>();

		private final Map<String, Expression> expressions = new LinkedHashMap<>();

		Validation(Builder model) {
			this.model = model;
		}

		MonteCarloModel run() {
			if (this.model.outputs.isEmpty()) {
				fault("model", Kind.EMPTY_MODEL, "The model has no outputs: add at least one output to compute");
			}
			checkNames();
			checkDistributions();
			parseOutputs();
			List<String> order = orderOutputs();
			List<RankCorrelation> rankCorrelations = checkCorrelations();
			if (this.faultCount > 0) {
				throw new ModelException(this.faults, this.faultCount);
			}
			List<String> inputNames = this.model.inputs.stream().map(Input::name).toList();
			List<String> outputNames = this.model.outputs.stream().map(Output::name).toList();
			BlockProgram program = BlockProgram.compile(inputNames, outputNames, this.expressions, order);
			return new MonteCarloModel(this.model, program, rankCorrelations);
		}

		private void checkNames() {
			Map<String, Integer> uses = new HashMap<>();
			List<String> names = new ArrayList<>();
			this.model.inputs.forEach((input) -> names.add(input.name()));
			this.model.outputs.forEach((output) -> names.add(output.name()));
			for (String name : names) {
				uses.merge(name, 1, Integer::sum);
			}
			Set<String> reported = new HashSet<>();
			for (int i = 0; i < names.size(); i++) {
				String name = names.get(i);
				String what = (i < this.model.inputs.size()) ? "Input" : "Output";
				if (name == null || name.isBlank()) {
					fault(String.valueOf(i + 1), Kind.BAD_NAME, what + " number " + (i + 1) + " has no name");
				}
				else if (!ExpressionParser.isName(name)) {
					fault(name, Kind.BAD_NAME, what + " '" + name
							+ "' has a name that cannot be used in expressions: use letters, digits and '_', starting with a letter or '_'");
				}
				else if (ExpressionParser.RESERVED.contains(name)) {
					fault(name, Kind.BAD_NAME,
							what + " '" + name + "' has the name of an operator or function: choose another name");
				}
				else if (uses.get(name) > 1 && reported.add(name)) {
					fault(name, Kind.BAD_NAME, "The name '" + name + "' is used by " + uses.get(name)
							+ " inputs and outputs: every input and output needs a name of its own");
				}
			}
			for (int i = 0; i < this.model.inputs.size(); i++) {
				this.inputIndexes.putIfAbsent(this.model.inputs.get(i).name(), i);
			}
			this.model.outputs.forEach((output) -> this.outputNames.add(output.name()));
		}

		private void checkDistributions() {
			for (Input input : this.model.inputs) {
				String kind = (input.distribution() != null) ? " ("
						+ input.distribution().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + ")" : "";
				for (String problem : Distributions.problems(input.distribution())) {
					fault(input.name(), Kind.BAD_PARAMETER, "Input '" + input.name() + "'" + kind + ": " + problem);
				}
			}
		}

		private void parseOutputs() {
			for (Output output : this.model.outputs) {
				Expression expression;
				try {
					expression = ExpressionParser.parse(output.expression(), this.model.limits.maxExpressionDepth());
				}
				catch (SyntaxError ex) {
					fault(output.name(), ex.tooDeep() ? Kind.TOO_DEEP : Kind.SYNTAX_ERROR,
							"Output '" + output.name() + "': " + ex.problem() + " at position " + ex.position() + " of "
									+ excerpt(output.expression(), ex.position()));
					continue;
				}
				boolean resolved = true;
				List<Reference> references = new ArrayList<>();
				Expression.references(expression, references);
				for (Reference reference : references) {
					String name = reference.name();
					if (!this.inputIndexes.containsKey(name) && !this.outputNames.contains(name)) {
						resolved = false;
						if (!listing()) {
							// Counted only: its message (and the search for a suggestion)
							// would not be shown.
							this.faultCount++;
							continue;
						}
						fault(output.name(), Kind.UNKNOWN_NAME,
								"Output '" + output.name() + "' uses '" + name + "' at position " + reference.position()
										+ ", which is neither an input nor an output" + suggestion(name));
					}
				}
				if (resolved && !this.expressions.containsKey(output.name())) {
					this.expressions.put(output.name(), expression);
				}
			}
		}

		/**
		 * The quoted expression, or for a long one the part around a 1-based position: a
		 * fault message stays short whatever the expression's length.
		 */
		private static String excerpt(String expression, int position) {
			int width = 60;
			if (expression == null || expression.length() <= width) {
				return "\"" + expression + "\"";
			}
			int start = Math.max(0, Math.min(position - 1 - width / 2, expression.length() - width));
			int end = start + width;
			return ((start > 0) ? "\"…" : "\"") + expression.substring(start, end)
					+ ((end < expression.length()) ? "…\"" : "\"");
		}

		private String suggestion(String name) {
			if (name.length() > SUGGESTED_NAME_LENGTH) {
				return "";
			}
			return this.suggestions.computeIfAbsent(name, this::closestName);
		}

		/**
		 * The known name closest to {@code name}, if close enough. Costs an edit distance
		 * per known name: with the names' lengths bounded, a few milliseconds for a
		 * thousand names, and done only for listed faults.
		 */
		private String closestName(String name) {
			String best = null;
			int bestDistance = Integer.MAX_VALUE;
			Set<String> known = new LinkedHashSet<>(this.inputIndexes.keySet());
			known.addAll(this.outputNames);
			int threshold = Math.max(1, name.length() / 3);
			for (String candidate : known) {
				// The distance is at least the difference in length: most candidates are
				// passed over without computing it.
				if (candidate == null || candidate.length() > SUGGESTED_NAME_LENGTH
						|| Math.abs(candidate.length() - name.length()) > threshold) {
					continue;
				}
				int distance = editDistance(name.toLowerCase(java.util.Locale.ROOT),
						candidate.toLowerCase(java.util.Locale.ROOT));
				if (distance < bestDistance) {
					best = candidate;
					bestDistance = distance;
				}
			}
			return (best != null && bestDistance <= threshold) ? " (did you mean '" + best + "'?)" : "";
		}

		/**
		 * Outputs in an order where each comes after those it uses; reports every cycle.
		 * Outputs that did not parse are left out (their fault is already reported).
		 */
		private List<String> orderOutputs() {
			Map<String, List<String>> uses = new LinkedHashMap<>();
			this.expressions.forEach((name, expression) -> {
				List<Reference> references = new ArrayList<>();
				Expression.references(expression, references);
				uses.put(name,
						references.stream()
							.map(Reference::name)
							.filter(this.outputNames::contains)
							.distinct()
							.toList());
			});
			List<String> order = new ArrayList<>();
			Map<String, Integer> state = new HashMap<>();
			Set<Set<String>> cycles = new HashSet<>();
			for (String name : uses.keySet()) {
				visit(name, uses, state, new ArrayList<>(), order, cycles);
			}
			return order;
		}

		private void visit(String name, Map<String, List<String>> uses, Map<String, Integer> state, List<String> path,
				List<String> order, Set<Set<String>> cycles) {
			Integer current = state.get(name);
			if (current != null && current == 2) {
				return;
			}
			if (current != null && current == 1) {
				List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
				if (cycles.add(new HashSet<>(cycle))) {
					cycle.add(name);
					fault(name, Kind.CYCLE, "Outputs depend on each other in a cycle, so none of them can be computed: "
							+ String.join(" → ", cycle));
				}
				return;
			}
			if (!uses.containsKey(name)) {
				// An output whose expression has a fault of its own.
				return;
			}
			state.put(name, 1);
			path.add(name);
			for (String used : uses.get(name)) {
				visit(used, uses, state, path, order, cycles);
			}
			path.remove(path.size() - 1);
			state.put(name, 2);
			order.add(name);
		}

		private List<RankCorrelation> checkCorrelations() {
			int inputCount = this.model.inputs.size();
			double[][] rho = new double[inputCount][inputCount];
			Map<String, Correlation> pairs = new LinkedHashMap<>();
			boolean usable = true;
			for (Correlation correlation : this.model.correlations) {
				String pair = correlation.pair();
				boolean valid = true;
				for (String name : new String[] { correlation.first(), correlation.second() }) {
					Integer index = this.inputIndexes.get(name);
					if (index == null) {
						valid = false;
						String what = this.outputNames.contains(name) ? "is an output; only inputs can be correlated"
								: "is not an input of the model" + suggestion(String.valueOf(name));
						fault(pair, Kind.BAD_CORRELATION, "Correlation " + pair + ": '" + name + "' " + what);
					}
					else if (this.model.inputs.get(index).distribution() instanceof Fixed) {
						valid = false;
						fault(pair, Kind.BAD_CORRELATION, "Correlation " + pair + ": input '" + name
								+ "' has a fixed value, which cannot be correlated");
					}
				}
				if (valid && correlation.first().equals(correlation.second())) {
					valid = false;
					fault(pair, Kind.BAD_CORRELATION,
							"Correlation " + pair + ": an input cannot be correlated with itself");
				}
				if (!(Math.abs(correlation.rho()) <= 1)) {
					valid = false;
					fault(pair, Kind.BAD_CORRELATION, "Correlation " + pair
							+ ": the rank correlation must be between -1 and 1, got " + correlation.rho());
				}
				if (valid) {
					String key = (correlation.first().compareTo(correlation.second()) < 0) ? pair
							: correlation.second() + "~" + correlation.first();
					if (pairs.putIfAbsent(key, correlation) != null) {
						valid = false;
						fault(pair, Kind.BAD_CORRELATION, "Correlation " + pair
								+ " is given more than once: give each pair of inputs one correlation");
					}
				}
				if (valid) {
					int a = this.inputIndexes.get(correlation.first());
					int b = this.inputIndexes.get(correlation.second());
					rho[a][b] = correlation.rho();
					rho[b][a] = correlation.rho();
				}
				usable &= valid;
			}
			if (!usable) {
				return List.of();
			}
			return correlationGroups(rho, pairs.values());
		}

		/**
		 * One Iman–Conover group per set of inputs linked by correlations: groups are
		 * independent, and smaller matrices are cheaper and name a fault more precisely.
		 */
		private List<RankCorrelation> correlationGroups(double[][] rho, java.util.Collection<Correlation> pairs) {
			int n = rho.length;
			int[] group = new int[n];
			java.util.Arrays.fill(group, -1);
			// Which inputs a correlation links, looked up once per pair of inputs: a scan
			// of the correlations there would make this cubic in the model's size.
			boolean[][] linked = new boolean[n][n];
			for (Correlation pair : pairs) {
				int a = this.inputIndexes.get(pair.first());
				int b = this.inputIndexes.get(pair.second());
				linked[a][b] = true;
				linked[b][a] = true;
			}
			List<RankCorrelation> groups = new ArrayList<>();
			for (int start = 0; start < n; start++) {
				if (group[start] >= 0) {
					continue;
				}
				List<Integer> members = new ArrayList<>();
				List<Integer> pending = new ArrayList<>(List.of(start));
				group[start] = start;
				while (!pending.isEmpty()) {
					int i = pending.remove(pending.size() - 1);
					members.add(i);
					for (int j = 0; j < n; j++) {
						if (group[j] < 0 && (rho[i][j] != 0 || linked[i][j])) {
							group[j] = start;
							pending.add(j);
						}
					}
				}
				if (members.size() < 2) {
					continue;
				}
				members.sort(null);
				int[] slots = members.stream().mapToInt(Integer::intValue).toArray();
				double[][] matrix = new double[slots.length][slots.length];
				for (int a = 0; a < slots.length; a++) {
					for (int b = 0; b < slots.length; b++) {
						matrix[a][b] = (a == b) ? 1 : rho[slots[a]][slots[b]];
					}
				}
				RankCorrelation correlation = RankCorrelation.of(slots, matrix);
				if (correlation == null) {
					Set<String> names = members.stream()
						.map((i) -> this.model.inputs.get(i).name())
						.collect(Collectors.toCollection(LinkedHashSet::new));
					String list = pairs.stream()
						.filter((pair) -> names.contains(pair.first()))
						.map((pair) -> pair.pair() + " = " + pair.rho())
						.collect(Collectors.joining(", "));
					fault(String.join(",", names), Kind.INCONSISTENT_CORRELATIONS,
							"The correlations " + list
									+ " contradict each other (their matrix is not positive definite;"
									+ " a correlation of exactly ±1 is not supported either): weaken some of them");
				}
				else {
					groups.add(correlation);
				}
			}
			return groups;
		}

		/** Whether another fault would be listed, rather than only counted. */
		private boolean listing() {
			return this.faults.size() < this.model.limits.maxFaults();
		}

		private void fault(String subject, Kind kind, String message) {
			this.faultCount++;
			if (listing()) {
				this.faults.add(new ModelFault(subject, kind, message));
			}
		}

		private static int editDistance(String a, String b) {
			int[] previous = new int[b.length() + 1];
			int[] current = new int[b.length() + 1];
			for (int j = 0; j <= b.length(); j++) {
				previous[j] = j;
			}
			for (int i = 1; i <= a.length(); i++) {
				current[0] = i;
				for (int j = 1; j <= b.length(); j++) {
					int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
					current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
				}
				int[] swap = previous;
				previous = current;
				current = swap;
			}
			return previous[b.length()];
		}

	}

}
