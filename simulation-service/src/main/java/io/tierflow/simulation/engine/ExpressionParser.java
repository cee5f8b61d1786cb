package io.tierflow.simulation.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tierflow.simulation.engine.Expression.Apply;
import io.tierflow.simulation.engine.Expression.Constant;
import io.tierflow.simulation.engine.Expression.Reference;

/**
 * Recursive-descent parser of Tierflow's output expressions. Precedence, loosest first:
 * {@code or}, {@code and}, {@code not}, comparisons (not chainable), {@code + −},
 * {@code × ÷}, unary minus, {@code ^} (right-associative, so {@code -2^2} is −4 and
 * {@code 2^3^2} is 512). {@code ×}, {@code ÷}, {@code −}, {@code &&}, {@code ||} and
 * {@code !} are accepted as spellings of {@code *}, {@code /}, {@code -}, {@code and},
 * {@code or} and {@code not}. Functions: {@code min} and {@code max} of one or more
 * values, {@code exp}, {@code log} (natural), {@code sqrt}, {@code abs}, and
 * {@code if(condition, then, else)}.
 * <p>
 * The parser recurses once per level of nesting (a parenthesis, a function call, a unary
 * operator, an exponent) and counts the levels, refusing one more than the limit before
 * descending into it: no text makes it recurse without bound. Chains of binary operators
 * ({@code a + b + c ...}) are read in loops; the trees they give are as deep as the chain
 * is long, so everything that walks a tree does so without recursion (see
 * {@link Expression#reduce}).
 */
final class ExpressionParser {

	/** Words that cannot name an input or output because the language uses them. */
	static final Set<String> RESERVED = Set.of("and", "or", "not", "if", "min", "max", "exp", "log", "sqrt", "abs");

	private static final Map<String, Operation> FUNCTIONS = Map.of("min", Operation.MIN, "max", Operation.MAX, "exp",
			Operation.EXP, "log", Operation.LOG, "sqrt", Operation.SQRT, "abs", Operation.ABS, "if", Operation.IF);

	private final String text;

	private final int maxDepth;

	private int position;

	private int depth;

	private ExpressionParser(String text, int maxDepth) {
		this.text = text;
		this.maxDepth = maxDepth;
	}

	/** Parses a whole expression, nested at most as deep as the default limits allow. */
	static Expression parse(String text) throws SyntaxError {
		return parse(text, ModelLimits.DEFAULTS.maxExpressionDepth());
	}

	/**
	 * Parses a whole expression; the error names the 1-based position of the problem.
	 * @param maxDepth most levels of nesting; one more is a {@link SyntaxError} that
	 * {@link SyntaxError#tooDeep() is too deep}
	 */
	static Expression parse(String text, int maxDepth) throws SyntaxError {
		if (text == null || text.isBlank()) {
			throw new SyntaxError(1, "the expression is empty", false);
		}
		ExpressionParser parser = new ExpressionParser(text, maxDepth);
		Expression expression = parser.or();
		parser.skipSpaces();
		if (parser.position < text.length()) {
			throw parser.error("unexpected " + parser.describeNext() + " after a complete expression");
		}
		return expression;
	}

	static boolean isName(String name) {
		if (name == null || name.isEmpty() || !isNameStart(name.charAt(0))) {
			return false;
		}
		return name.chars().allMatch(ExpressionParser::isNamePart);
	}

	private Expression or() throws SyntaxError {
		Expression left = and();
		while (word("or") || symbol("||")) {
			left = new Apply(Operation.OR, List.of(left, and()));
		}
		return left;
	}

	private Expression and() throws SyntaxError {
		Expression left = not();
		while (word("and") || symbol("&&")) {
			left = new Apply(Operation.AND, List.of(left, not()));
		}
		return left;
	}

	private Expression not() throws SyntaxError {
		int at = start();
		if (word("not") || (!peek("!=") && symbol("!"))) {
			descend(at);
			Expression operand = not();
			this.depth--;
			return new Apply(Operation.NOT, List.of(operand));
		}
		return comparison();
	}

	private Expression comparison() throws SyntaxError {
		Expression left = additive();
		Operation operation = comparisonOperator();
		if (operation == null) {
			return left;
		}
		Expression right = additive();
		skipSpaces();
		int at = this.position;
		if (comparisonOperator() != null) {
			this.position = at;
			throw error("comparisons cannot be chained; combine them with 'and'");
		}
		return new Apply(operation, List.of(left, right));
	}

	private Operation comparisonOperator() {
		if (symbol("<=")) {
			return Operation.LESS_OR_EQUAL;
		}
		if (symbol(">=")) {
			return Operation.GREATER_OR_EQUAL;
		}
		if (symbol("==")) {
			return Operation.EQUAL;
		}
		if (symbol("!=")) {
			return Operation.NOT_EQUAL;
		}
		if (symbol("<")) {
			return Operation.LESS;
		}
		if (symbol(">")) {
			return Operation.GREATER;
		}
		return null;
	}

	private Expression additive() throws SyntaxError {
		Expression left = multiplicative();
		while (true) {
			if (symbol("+")) {
				left = new Apply(Operation.ADD, List.of(left, multiplicative()));
			}
			else if (symbol("-") || symbol("−")) {
				left = new Apply(Operation.SUBTRACT, List.of(left, multiplicative()));
			}
			else {
				return left;
			}
		}
	}

	private Expression multiplicative() throws SyntaxError {
		Expression left = unary();
		while (true) {
			if (symbol("*") || symbol("×")) {
				left = new Apply(Operation.MULTIPLY, List.of(left, unary()));
			}
			else if (symbol("/") || symbol("÷")) {
				left = new Apply(Operation.DIVIDE, List.of(left, unary()));
			}
			else {
				return left;
			}
		}
	}

	private Expression unary() throws SyntaxError {
		int at = start();
		if (symbol("-") || symbol("−")) {
			descend(at);
			Expression operand = unary();
			this.depth--;
			return (operand instanceof Constant constant) ? new Constant(-constant.value())
					: new Apply(Operation.NEGATE, List.of(operand));
		}
		if (symbol("+")) {
			descend(at);
			Expression operand = unary();
			this.depth--;
			return operand;
		}
		return power();
	}

	private Expression power() throws SyntaxError {
		Expression base = primary();
		int at = start();
		if (symbol("^")) {
			// The exponent is a unary so that 2^-1 reads as 2^(-1), and ^ groups to the
			// right.
			descend(at);
			Expression exponent = unary();
			this.depth--;
			return new Apply(Operation.POWER, List.of(base, exponent));
		}
		return base;
	}

	private Expression primary() throws SyntaxError {
		skipSpaces();
		if (this.position >= this.text.length()) {
			throw error("the expression ends where a value was expected");
		}
		char c = this.text.charAt(this.position);
		if (Character.isDigit(c) || (c == '.' && this.position + 1 < this.text.length()
				&& Character.isDigit(this.text.charAt(this.position + 1)))) {
			return number();
		}
		if (symbol("(")) {
			descend(this.position - 1);
			Expression inner = or();
			expect(")");
			this.depth--;
			return inner;
		}
		if (isNameStart(c)) {
			int start = this.position;
			while (this.position < this.text.length() && isNamePart(this.text.charAt(this.position))) {
				this.position++;
			}
			String name = this.text.substring(start, this.position);
			if (peek("(")) {
				return call(name, start);
			}
			if (RESERVED.contains(name)) {
				this.position = start;
				throw error("'" + name + "' is a reserved word and cannot be used as a value");
			}
			return new Reference(name, start + 1);
		}
		throw error("expected a number, a name or '(' but found " + describeNext());
	}

	private Expression call(String name, int start) throws SyntaxError {
		Operation operation = FUNCTIONS.get(name);
		if (operation == null) {
			this.position = start;
			throw error("unknown function '" + name + "'; the functions are min, max, exp, log, sqrt, abs and if");
		}
		symbol("(");
		descend(start);
		List<Expression> arguments = new ArrayList<>();
		if (!symbol(")")) {
			do {
				arguments.add(or());
			}
			while (symbol(","));
			expect(")");
		}
		this.depth--;
		int expected = switch (operation) {
			case MIN, MAX -> -1;
			case IF -> 3;
			default -> 1;
		};
		if ((expected < 0 && arguments.isEmpty()) || (expected > 0 && arguments.size() != expected)) {
			this.position = start;
			String wanted = (expected < 0) ? "at least 1 argument"
					: expected + ((expected == 1) ? " argument" : " arguments");
			throw error("function '" + name + "' takes " + wanted + ", got " + arguments.size());
		}
		return new Apply(operation, arguments);
	}

	private Expression number() throws SyntaxError {
		int start = this.position;
		while (this.position < this.text.length()
				&& (Character.isDigit(this.text.charAt(this.position)) || this.text.charAt(this.position) == '.')) {
			this.position++;
		}
		if (this.position < this.text.length()
				&& (this.text.charAt(this.position) == 'e' || this.text.charAt(this.position) == 'E')) {
			int exponent = this.position + 1;
			if (exponent < this.text.length()
					&& (this.text.charAt(exponent) == '+' || this.text.charAt(exponent) == '-')) {
				exponent++;
			}
			if (exponent < this.text.length() && Character.isDigit(this.text.charAt(exponent))) {
				this.position = exponent;
				while (this.position < this.text.length() && Character.isDigit(this.text.charAt(this.position))) {
					this.position++;
				}
			}
		}
		String literal = this.text.substring(start, this.position);
		try {
			return new Constant(Double.parseDouble(literal));
		}
		catch (NumberFormatException ex) {
			this.position = start;
			throw error("'" + literal + "' is not a number");
		}
	}

	/** Where the next token starts. */
	private int start() {
		skipSpaces();
		return this.position;
	}

	/**
	 * Enters one more level of nesting, or refuses it, naming where the level starts (a
	 * 0-based index).
	 */
	private void descend(int at) throws SyntaxError {
		if (this.depth >= this.maxDepth) {
			throw new SyntaxError(at + 1, "the expression nests deeper than the limit of " + this.maxDepth + " levels",
					true);
		}
		this.depth++;
	}

	private void expect(String symbol) throws SyntaxError {
		if (!symbol(symbol)) {
			throw error("expected '" + symbol + "' but found " + describeNext());
		}
	}

	/** Consumes the symbol if it comes next. */
	private boolean symbol(String symbol) {
		if (peek(symbol)) {
			this.position += symbol.length();
			return true;
		}
		return false;
	}

	private boolean peek(String symbol) {
		skipSpaces();
		return this.text.startsWith(symbol, this.position);
	}

	/** Consumes a keyword if it comes next as a whole word (so "order" is not "or"). */
	private boolean word(String word) {
		skipSpaces();
		int end = this.position + word.length();
		if (this.text.startsWith(word, this.position)
				&& (end >= this.text.length() || !isNamePart(this.text.charAt(end)))) {
			this.position = end;
			return true;
		}
		return false;
	}

	private void skipSpaces() {
		while (this.position < this.text.length() && Character.isWhitespace(this.text.charAt(this.position))) {
			this.position++;
		}
	}

	private String describeNext() {
		skipSpaces();
		if (this.position >= this.text.length()) {
			return "the end of the expression";
		}
		return "'" + this.text.charAt(this.position) + "'";
	}

	private SyntaxError error(String problem) {
		skipSpaces();
		return new SyntaxError(Math.min(this.position, this.text.length()) + 1, problem, false);
	}

	private static boolean isNameStart(int c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
	}

	private static boolean isNamePart(int c) {
		return isNameStart(c) || (c >= '0' && c <= '9');
	}

	/** An expression that does not parse, at a 1-based position of its text. */
	static final class SyntaxError extends Exception {

		private final int position;

		private final String problem;

		private final boolean tooDeep;

		SyntaxError(int position, String problem, boolean tooDeep) {
			super(problem + " at position " + position);
			this.position = position;
			this.problem = problem;
			this.tooDeep = tooDeep;
		}

		/** Whether the expression is refused for nesting deeper than the limit. */
		boolean tooDeep() {
			return this.tooDeep;
		}

		int position() {
			return this.position;
		}

		String problem() {
			return this.problem;
		}

	}

}
