package io.tierflow.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard and the alert rules read only metrics the services export, and
 * the PrometheusRule of k8s/ holds the same rules as deploy/prometheus/alerts.yml.
 */
class ObservabilityFilesTest {

	private static final JsonNode DASHBOARD = JsonMapper.builder()
		.build()
		.readTree(Repository.ROOT.resolve("deploy/grafana/tierflow.json").toFile());

	private static final RuleFile RULES = StrictMapper.YAML
		.readValue(Repository.ROOT.resolve("deploy/prometheus/alerts.yml").toFile(), RuleFile.class);

	/** A Prometheus rule file, typed: a misspelt field fails. */
	record RuleFile(List<Group> groups) {
	}

	record Group(String name, String interval, List<Rule> rules) {
	}

	record Rule(String alert, String record, String expr, String $for, Map<String, String> labels,
			Map<String, String> annotations) {

		@com.fasterxml.jackson.annotation.JsonCreator
		Rule(@com.fasterxml.jackson.annotation.JsonProperty("alert") String alert,
				@com.fasterxml.jackson.annotation.JsonProperty("record") String record,
				@com.fasterxml.jackson.annotation.JsonProperty("expr") String expr,
				@com.fasterxml.jackson.annotation.JsonProperty("for") String $for,
				@com.fasterxml.jackson.annotation.JsonProperty("labels") Map<String, String> labels,
				@com.fasterxml.jackson.annotation.JsonProperty("annotations") Map<String, String> annotations) {
			this.alert = alert;
			this.record = record;
			this.expr = expr;
			this.$for = $for;
			this.labels = labels;
			this.annotations = annotations;
		}

	}

	@Test
	void dashboardPanelsReadKnownMetrics() {
		List<String> exprs = new ArrayList<>();
		collectExprs(DASHBOARD.path("panels"), exprs);
		assertThat(exprs).hasSizeGreaterThan(15)
			.allSatisfy((e) -> assertThat(PromQl.metricNames(e)).as(e).isNotEmpty().isSubsetOf(KnownMetrics.NAMES));
		assertThat(String.join("\n", exprs)).contains("tenant_db_connections_active",
				"tierflow_db_query_seconds_bucket", "tierflow_storage_bytes", "tierflow_move_phase_duration_seconds",
				"tenant_placements", "cluster_capacity", "tierflow_outbox_lag_seconds",
				"spring_cloud_stream_binder_kafka_offset", "tierflow_events_parked",
				"tierflow_events_dead_lettered_total", "hikaricp_connections_active");
	}

	@Test
	void alertsReadKnownMetricsAndCoverTheKpis() {
		List<Rule> rules = RULES.groups().stream().flatMap((g) -> g.rules().stream()).toList();
		assertThat(rules).allSatisfy((r) -> {
			assertThat(r.alert()).isNotBlank();
			assertThat(r.labels()).containsKey("severity");
			assertThat(r.annotations()).containsKeys("summary", "description");
			assertThat(PromQl.metricNames(r.expr())).as(r.alert()).isNotEmpty().isSubsetOf(KnownMetrics.NAMES);
		});
		assertThat(rules).extracting(Rule::alert)
			.contains("TierflowOutboxLag", "TierflowConsumerLag", "TierflowMoveStuck", "TierflowPoolSaturated",
					"TierflowClusterCapacity");
		Rule capacity = rules.stream().filter((r) -> r.alert().equals("TierflowClusterCapacity")).findFirst().get();
		assertThat(capacity.expr()).contains("tenant_placements", "cluster_capacity").endsWith("> 0.8\n");
	}

	@Test
	void thePrometheusRuleOfK8sHoldsTheSameRules() {
		JsonNode file = StrictMapper.YAML.readTree(Repository.ROOT.resolve("deploy/prometheus/alerts.yml").toFile());
		Manifests.Document rule = Manifests.documents()
			.stream()
			.filter((d) -> d.type().equals("monitoring.coreos.com/v1/PrometheusRule"))
			.findFirst()
			.orElseThrow();
		assertThat(rule.tree().path("spec").path("groups")).isEqualTo(file.path("groups"));
	}

	@Test
	void tierflowsMetricsAreRegisteredUnderTheirNames() {
		assertThat(KnownMetrics.ALL).filteredOn((m) -> m.micrometerName() != null)
			.allSatisfy((m) -> assertThat(Repository.mainSourcesContain("\"" + m.micrometerName() + "\""))
				.as(m.micrometerName())
				.isTrue());
	}

	@Test
	void promQlNamesAreFoundInExpressions() {
		assertThat(PromQl.metricNames(
				"histogram_quantile(0.95, sum by (service, tier, le) (rate(tierflow_db_query_seconds_bucket{job=~\"$job\"}[$__rate_interval])))"))
			.containsExactly("tierflow_db_query_seconds_bucket");
		assertThat(PromQl.metricNames("max by (job) (a_b / c_d{x=\"y\"}) > 0.9 or max(e) > 0"))
			.containsExactlyInAnyOrder("a_b", "c_d", "e");
	}

	private static void collectExprs(JsonNode panels, List<String> exprs) {
		for (JsonNode panel : panels) {
			for (JsonNode target : panel.path("targets")) {
				exprs.add(target.path("expr").asString());
			}
			collectExprs(panel.path("panels"), exprs);
		}
	}

}
