/**
 * Tierflow's Monte Carlo engine, a plain library: build a {@link MonteCarloModel} of
 * uncertain inputs ({@link Distribution}), optional rank correlations and outputs written
 * as expressions, then run it on a {@link MonteCarloEngine} for a number of iterations
 * and a seed ({@link RunSettings}), which gives a {@link SimulationResult} with
 * {@link OutputStatistics} per output. A faulty model is refused with a
 * {@link ModelException} listing every {@link ModelFault}.
 *
 * <pre>{@code
 * MonteCarloModel model = MonteCarloModel.builder()
 *     .input("units", Distribution.normal(100_000, 15_000))
 *     .input("price", Distribution.triangular(8, 10, 14))
 *     .correlate("units", "price", -0.6)
 *     .output("revenue", "max(units, 0) * price")
 *     .build();
 * try (MonteCarloEngine engine = new MonteCarloEngine()) {
 *     SimulationRun run = engine.start(model, new RunSettings(1_000_000, 42), (done, total) -> { });
 *     double p95 = run.result().join().output("revenue").percentile(95);
 * }
 * }</pre>
 */
package io.tierflow.simulation.engine;
