package io.tierflow.simulation.definition;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tierflow.simulation.engine.Distribution;
import io.tierflow.simulation.engine.ModelException;
import io.tierflow.simulation.engine.ModelFault;
import io.tierflow.simulation.engine.MonteCarloModel;
import tools.jackson.databind.JsonNode;

/**
 * The JSON shape of a model's {@code definition}, and its translation into the engine's
 * {@link MonteCarloModel}:
 *
 * <pre>{@code
 * {
 *   "inputs": [
 *     {"name": "units", "distribution": {"type": "normal", "mean": 1000, "sd": 100}},
 *     {"name": "price", "distribution": {"type": "discrete", "values": [9, 10, 12],
 *                                        "probabilities": [0.2, 0.5, 0.3]}},
 *     {"name": "fee",   "distribution": {"type": "fixed", "value": 5}}
 *   ],
 *   "correlations": [{"between": ["units", "price"], "rho": -0.4}],
 *   "outputs": [{"name": "revenue", "expression": "units * price - fee"}]
 * }
 * }</pre>
 *
 * Distributions and their parameters: {@code normal} (mean, sd), {@code lognormal} (mean,
 * sd of the variable itself), {@code uniform} (min, max), {@code triangular} and
 * {@code pert} (min, mode, max), {@code discrete} (values, probabilities), {@code fixed}
 * (value). {@code inputs} and {@code correlations} may be left out; unknown properties
 * are faults (a misspelt parameter would otherwise go unnoticed).
 * <p>
 * The shape is checked first; a definition of the right shape is then built by the
 * engine, which checks names, parameters, expressions, cycles and correlations. Either
 * way the faults are reported, as an {@link InvalidModelException}. Every size is bounded
 * by {@link DefinitionLimits}, so that checking costs little whatever the definition.
 */
public final class ModelDefinition {

	private static final Map<String, List<String>> PARAMETERS = Map.of("normal", List.of("mean", "sd"), "lognormal",
			List.of("mean", "sd"), "uniform", List.of("min", "max"), "triangular", List.of("min", "mode", "max"),
			"pert", List.of("min", "mode", "max"), "discrete", List.of("values", "probabilities"), "fixed",
			List.of("value"));

	private final DefinitionLimits limits;

	private final List<DefinitionFault> faults = new ArrayList<>();

	private final MonteCarloModel.Builder builder;

	/** Faults found, listed or not. */
	private int faultCount;

	/** Characters of the expressions read so far. */
	private long expressionLength;

	private InvalidModelException.Limit exceeded;

	private ModelDefinition(DefinitionLimits limits) {
		this.limits = limits;
		this.builder = MonteCarloModel.builder().limits(limits.engine());
	}

	/** Translates a definition into a runnable model, within the default limits. */
	public static MonteCarloModel compile(JsonNode definition) {
		return compile(definition, DefinitionLimits.DEFAULTS);
	}

	/**
	 * Translates a definition into a runnable model.
	 * @param definition the definition; {@code null} counts as an empty one
	 * @param limits how large and deep it may be
	 * @throws InvalidModelException with the faults, when the definition is not of the
	 * documented shape, exceeds a limit, or the engine refuses the model
	 */
	public static MonteCarloModel compile(JsonNode definition, DefinitionLimits limits) {
		ModelDefinition translation = new ModelDefinition(limits);
		translation.read(definition);
		if (translation.faultCount > 0) {
			throw new InvalidModelException(translation.faults, translation.faultCount, translation.exceeded);
		}
		try {
			return translation.builder.build();
		}
		catch (ModelException ex) {
			List<DefinitionFault> faults = ex.faults()
				.stream()
				.map((f) -> new DefinitionFault(f.subject(), f.kind().name(), f.message()))
				.toList();
			InvalidModelException.Limit tooDeep = ex.faults()
				.stream()
				.filter((f) -> f.kind() == ModelFault.Kind.TOO_DEEP)
				.findFirst()
				.map((f) -> new InvalidModelException.Limit("maxExpressionDepth", limits.maxExpressionDepth(),
						f.message()))
				.orElse(null);
			throw new InvalidModelException(faults, ex.count(), tooDeep);
		}
	}

	/** Whether a definition says nothing at all: absent, null or an empty object. */
	public static boolean isEmpty(JsonNode definition) {
		return definition == null || definition.isNull() || definition.isMissingNode()
				|| (definition.isObject() && definition.isEmpty());
	}

	/**
	 * Whether any name or text in the definition has a NUL character, which no store
	 * keeps: such a request is malformed (400) rather than a faulty model.
	 */
	public static boolean containsNul(JsonNode node) {
		if (node == null) {
			return false;
		}
		if (node.isString()) {
			return node.stringValue().indexOf('\0') >= 0;
		}
		if (node.isObject()) {
			for (Map.Entry<String, JsonNode> property : node.properties()) {
				if (property.getKey().indexOf('\0') >= 0 || containsNul(property.getValue())) {
					return true;
				}
			}
			return false;
		}
		if (node.isArray()) {
			for (JsonNode item : node.values()) {
				if (containsNul(item)) {
					return true;
				}
			}
		}
		return false;
	}

	private void read(JsonNode definition) {
		if (definition == null || definition.isNull() || definition.isMissingNode()) {
			return;
		}
		if (!definition.isObject()) {
			fault("definition", "The definition must be a JSON object with inputs, correlations and outputs");
			return;
		}
		onlyKnown(definition, "definition", Set.of("inputs", "correlations", "outputs"));
		List<JsonNode> inputs = items(definition, "inputs");
		for (int i = 0; i < inputs.size(); i++) {
			input(inputs.get(i), "inputs[" + i + "]");
		}
		List<JsonNode> correlations = items(definition, "correlations");
		for (int i = 0; i < correlations.size(); i++) {
			correlation(correlations.get(i), "correlations[" + i + "]");
		}
		List<JsonNode> outputs = items(definition, "outputs");
		for (int i = 0; i < outputs.size(); i++) {
			output(outputs.get(i), "outputs[" + i + "]");
		}
	}

	private List<JsonNode> items(JsonNode definition, String property) {
		JsonNode node = definition.get(property);
		if (node == null || node.isNull()) {
			return List.of();
		}
		if (!node.isArray()) {
			fault(property, "'" + property + "' must be an array");
			return List.of();
		}
		if (node.size() > this.limits.maxItems()) {
			limit(property, "maxItems", this.limits.maxItems(), "'" + property + "' may have at most "
					+ this.limits.maxItems() + " entries, it has " + node.size());
			return List.of();
		}
		return List.copyOf(node.values());
	}

	private void input(JsonNode input, String path) {
		if (!object(input, path, "an input: {\"name\": ..., \"distribution\": {...}}")) {
			return;
		}
		onlyKnown(input, path, Set.of("name", "distribution"));
		String name = name(input, path);
		Distribution distribution = distribution(input.get("distribution"), path + ".distribution");
		if (name != null && distribution != null) {
			this.builder.input(name, distribution);
		}
	}

	private Distribution distribution(JsonNode node, String path) {
		if (node == null || node.isNull()) {
			fault(path, "'" + path + "' is missing");
			return null;
		}
		if (!object(node, path, "a distribution: {\"type\": \"normal\", \"mean\": ..., \"sd\": ...}")) {
			return null;
		}
		String type = text(node, path, "type");
		if (type == null) {
			return null;
		}
		List<String> parameters = PARAMETERS.get(type);
		if (parameters == null) {
			fault(path + ".type", "'" + type + "' is not a distribution: use one of "
					+ List.of("normal", "lognormal", "uniform", "triangular", "pert", "discrete", "fixed"));
			return null;
		}
		Set<String> known = new HashSet<>(parameters);
		known.add("type");
		onlyKnown(node, path, known);
		if (type.equals("discrete")) {
			List<Double> values = numbers(node, path, "values");
			List<Double> probabilities = numbers(node, path, "probabilities");
			return (values != null && probabilities != null) ? Distribution.discrete(values, probabilities) : null;
		}
		double[] p = new double[parameters.size()];
		boolean complete = true;
		for (int i = 0; i < p.length; i++) {
			Double value = number(node, path, parameters.get(i));
			complete &= (value != null);
			p[i] = (value != null) ? value : Double.NaN;
		}
		if (!complete) {
			return null;
		}
		return switch (type) {
			case "normal" -> Distribution.normal(p[0], p[1]);
			case "lognormal" -> Distribution.lognormal(p[0], p[1]);
			case "uniform" -> Distribution.uniform(p[0], p[1]);
			case "triangular" -> Distribution.triangular(p[0], p[1], p[2]);
			case "pert" -> Distribution.pert(p[0], p[1], p[2]);
			default -> Distribution.fixed(p[0]);
		};
	}

	private void correlation(JsonNode correlation, String path) {
		if (!object(correlation, path, "a correlation: {\"between\": [\"a\", \"b\"], \"rho\": ...}")) {
			return;
		}
		onlyKnown(correlation, path, Set.of("between", "rho"));
		JsonNode between = correlation.get("between");
		String first = null;
		String second = null;
		if (between == null || !between.isArray() || between.size() != 2 || !between.get(0).isString()
				|| !between.get(1).isString()) {
			fault(path + ".between", "'" + path + ".between' must name two inputs: [\"a\", \"b\"]");
		}
		else {
			first = between.get(0).stringValue();
			second = between.get(1).stringValue();
		}
		Double rho = number(correlation, path, "rho");
		if (first != null && rho != null) {
			this.builder.correlate(first, second, rho);
		}
	}

	private void output(JsonNode output, String path) {
		if (!object(output, path, "an output: {\"name\": ..., \"expression\": ...}")) {
			return;
		}
		onlyKnown(output, path, Set.of("name", "expression"));
		String name = name(output, path);
		String expression = text(output, path, "expression");
		if (expression == null) {
			return;
		}
		String where = path + ".expression";
		if (expression.length() > this.limits.maxExpressionLength()) {
			limit(where, "maxExpressionLength", this.limits.maxExpressionLength(), "'" + where + "' may have at most "
					+ this.limits.maxExpressionLength() + " characters, it has " + expression.length());
			return;
		}
		long before = this.expressionLength;
		this.expressionLength += expression.length();
		if (this.expressionLength > this.limits.maxTotalExpressionLength()) {
			if (before > this.limits.maxTotalExpressionLength()) {
				// Reported once, at the expression that goes beyond.
				return;
			}
			limit(where, "maxTotalExpressionLength", this.limits.maxTotalExpressionLength(),
					"The expressions may have at most " + this.limits.maxTotalExpressionLength()
							+ " characters together; '" + where + "' goes beyond");
			return;
		}
		if (name != null && expression != null) {
			this.builder.output(name, expression);
		}
	}

	private boolean object(JsonNode node, String path, String what) {
		if (node == null || !node.isObject()) {
			fault(path, "'" + path + "' must be " + what);
			return false;
		}
		return true;
	}

	private void onlyKnown(JsonNode node, String path, Set<String> known) {
		for (String property : node.propertyNames()) {
			if (!known.contains(property)) {
				fault(path + "." + property, "'" + path + "' has an unknown property '" + property + "': expected "
						+ known.stream().sorted().toList());
			}
		}
	}

	private String name(JsonNode node, String path) {
		String name = text(node, path, "name");
		if (name != null && name.length() > this.limits.maxNameLength()) {
			limit(path + ".name", "maxNameLength", this.limits.maxNameLength(), "'" + path + ".name' may have at most "
					+ this.limits.maxNameLength() + " characters, it has " + name.length());
			return null;
		}
		return name;
	}

	private String text(JsonNode node, String path, String property) {
		JsonNode value = node.get(property);
		if (value == null || value.isNull()) {
			fault(path + "." + property, "'" + path + "." + property + "' is missing");
			return null;
		}
		if (!value.isString()) {
			fault(path + "." + property, "'" + path + "." + property + "' must be a string");
			return null;
		}
		return value.stringValue();
	}

	private Double number(JsonNode node, String path, String property) {
		JsonNode value = node.get(property);
		if (value == null || value.isNull()) {
			fault(path + "." + property, "'" + path + "." + property + "' is missing");
			return null;
		}
		if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
			fault(path + "." + property, "'" + path + "." + property + "' must be a finite number");
			return null;
		}
		return value.doubleValue();
	}

	private List<Double> numbers(JsonNode node, String path, String property) {
		JsonNode value = node.get(property);
		String where = path + "." + property;
		if (value == null || !value.isArray() || value.isEmpty()) {
			fault(where, "'" + where + "' must be a non-empty array of numbers");
			return null;
		}
		if (value.size() > this.limits.maxDiscreteValues()) {
			limit(where, "maxDiscreteValues", this.limits.maxDiscreteValues(), "'" + where + "' may have at most "
					+ this.limits.maxDiscreteValues() + " numbers, it has " + value.size());
			return null;
		}
		List<Double> numbers = new ArrayList<>(value.size());
		for (JsonNode item : value.values()) {
			if (!item.isNumber() || !Double.isFinite(item.doubleValue())) {
				fault(where, "'" + where + "' must contain finite numbers only");
				return null;
			}
			numbers.add(item.doubleValue());
		}
		return numbers;
	}

	/** A fault of going beyond one of the limits; the first is named in the problem. */
	private void limit(String subject, String limit, long value, String message) {
		if (this.exceeded == null) {
			this.exceeded = new InvalidModelException.Limit(limit, value, message);
		}
		fault(subject, message);
	}

	private void fault(String subject, String message) {
		this.faultCount++;
		if (this.faults.size() < this.limits.maxFaults()) {
			this.faults.add(new DefinitionFault(subject, DefinitionFault.INVALID_DEFINITION, message));
		}
	}

}
