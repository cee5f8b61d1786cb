package io.tierflow.simulation.engine;

/**
 * A Spearman rank correlation to impose between two inputs. Pairs not given are
 * uncorrelated.
 *
 * @param first one input's name
 * @param second the other input's name
 * @param rho the rank correlation, in [−1, 1]
 */
public record Correlation(String first, String second, double rho) {

	/** How the pair is named in faults: {@code first~second}. */
	public String pair() {
		return this.first + "~" + this.second;
	}

}
