package io.tierflow.simulation.engine;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Each distribution, sampled 100,000 times with a fixed seed, against its analytic mean,
 * standard deviation and range. The tolerances are five standard errors, so a correct
 * sampler fails with a probability of about one in a million per check.
 */
class DistributionSamplingTest {

	private static final int N = 100_000;

	private static final MonteCarloEngine engine = new MonteCarloEngine(2);

	@AfterAll
	static void closeEngine() {
		engine.close();
	}

	static Stream<Arguments> distributions() {
		return Stream.of(
				// distribution, lowest possible, highest possible, excess kurtosis (for
				// the sd's error)
				Arguments.of(Distribution.normal(50, 7), Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0.0),
				Arguments.of(Distribution.lognormal(100, 30), 0.0, Double.POSITIVE_INFINITY, 2.0),
				Arguments.of(Distribution.uniform(-3, 9), -3.0, 9.0, -1.2),
				Arguments.of(Distribution.triangular(2, 3, 10), 2.0, 10.0, -0.6),
				Arguments.of(Distribution.pert(10, 12, 30), 10.0, 30.0, -0.5),
				Arguments.of(Distribution.pert(0, 0, 1), 0.0, 1.0, -0.5),
				Arguments.of(Distribution.discrete(List.of(1.0, 5.0, 10.0), List.of(0.2, 0.5, 0.3)), 1.0, 10.0, -1.0),
				Arguments.of(Distribution.fixed(4.25), 4.25, 4.25, 0.0));
	}

	@ParameterizedTest
	@MethodSource("distributions")
	void samplesMatchTheAnalyticMomentsAndRange(Distribution distribution, double lowest, double highest,
			double excessKurtosis) {
		MonteCarloModel model = MonteCarloModel.builder().input("x", distribution).output("y", "x").build();
		OutputStatistics y = engine.run(model, new RunSettings(N, 11)).output("y");

		double sd = distribution.standardDeviation();
		assertThat(y.count()).isEqualTo(N);
		assertThat(y.mean()).isCloseTo(distribution.mean(), within(5 * sd / Math.sqrt(N) + 1e-12));
		// Standard error of a sample sd: sd * sqrt((kurtosis excess + 2) / (4n)).
		assertThat(y.standardDeviation()).isCloseTo(sd,
				within(5 * sd * Math.sqrt((excessKurtosis + 2) / (4.0 * N)) + 1e-12));
		assertThat(y.min()).isGreaterThanOrEqualTo(lowest);
		assertThat(y.max()).isLessThanOrEqualTo(highest);
		if (Double.isFinite(lowest) && Double.isFinite(highest) && lowest < highest) {
			// A bounded distribution spreads over its range (PERT's tails are thin, hence
			// the quarter).
			assertThat(y.min()).isLessThan(lowest + 0.25 * (highest - lowest));
			assertThat(y.max()).isGreaterThan(highest - 0.25 * (highest - lowest));
		}
	}

	@ParameterizedTest
	@MethodSource("distributions")
	void percentilesFollowTheDistribution(Distribution distribution) {
		MonteCarloModel model = MonteCarloModel.builder().input("x", distribution).output("y", "x").build();
		OutputStatistics y = engine.run(model, new RunSettings(20_000, 3)).output("y");

		assertThat(y.percentiles()).extracting(OutputStatistics.Percentile::value).isSorted();
		assertThat(y.percentile(1)).isGreaterThanOrEqualTo(y.min());
		assertThat(y.percentile(99)).isLessThanOrEqualTo(y.max());
	}

	@Test
	void lognormalIsGivenByTheMeanAndSdOfTheVariableItself() {
		Distribution.Lognormal lognormal = new Distribution.Lognormal(100, 30);
		// ln X ~ N(mu, sigma²) with E[X] = exp(mu + sigma²/2) = 100 and Var[X] = 30².
		double mu = lognormal.logMean();
		double sigma2 = lognormal.logVariance();
		assertThat(Math.exp(mu + sigma2 / 2)).isCloseTo(100, within(1e-9));
		assertThat(Math.sqrt((Math.exp(sigma2) - 1) * Math.exp(2 * mu + sigma2))).isCloseTo(30, within(1e-9));
	}

}
