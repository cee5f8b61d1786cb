package io.tierflow.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import tools.jackson.databind.JsonNode;

/**
 * Every document of k8s/*.yaml, read with the typed model of its apiVersion and kind.
 */
final class Manifests {

	static final Path DIR = Repository.ROOT.resolve("k8s");

	/** The model of every apiVersion/kind the manifests may use; any other fails. */
	static final Map<String, Class<?>> MODELS = Map.ofEntries(Map.entry("v1/Namespace", Namespace.class),
			Map.entry("v1/ConfigMap", ConfigMap.class), Map.entry("v1/Service", Service.class),
			Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
			Map.entry("apps/v1/Deployment", Deployment.class),
			Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
			Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
			Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
			Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
			Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class),
			Map.entry("kafka.strimzi.io/v1/Kafka", Kafka.class),
			Map.entry("kafka.strimzi.io/v1/KafkaNodePool", KafkaNodePool.class),
			Map.entry("kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class),
			Map.entry("kafka.strimzi.io/v1/KafkaUser", KafkaUser.class),
			Map.entry("postgresql.cnpg.io/v1/Cluster", CloudNativePg.Cluster.class),
			Map.entry("postgresql.cnpg.io/v1/Database", CloudNativePg.Database.class));

	private Manifests() {
	}

	/** One YAML document of a manifest file, as read. */
	record Document(Path file, int index, JsonNode tree) {

		String type() {
			return this.tree.path("apiVersion").asString() + "/" + this.tree.path("kind").asString();
		}

		String name() {
			return this.tree.path("metadata").path("name").asString();
		}

		/**
		 * The document read with its typed model, failing on any field the model lacks.
		 */
		Object model() {
			Class<?> model = MODELS.get(type());
			if (model == null) {
				throw new IllegalStateException(this + ": no model for " + type());
			}
			return StrictMapper.YAML.treeToValue(this.tree, model);
		}

		@Override
		public String toString() {
			return DIR.relativize(this.file) + "#" + this.index + " " + this.tree.path("kind").asString() + " "
					+ name();
		}

	}

	static List<Path> files() {
		try (Stream<Path> files = Files.list(DIR)) {
			return files.filter((p) -> p.toString().endsWith(".yaml"))
				.filter((p) -> !p.getFileName().toString().equals("kustomization.yaml"))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static List<Document> documents() {
		List<Document> documents = new ArrayList<>();
		for (Path file : files()) {
			List<JsonNode> trees = StrictMapper.YAML.readerFor(JsonNode.class)
				.<JsonNode>readValues(file.toFile())
				.readAll();
			for (int i = 0; i < trees.size(); i++) {
				if (!trees.get(i).isNull() && !trees.get(i).isMissingNode()) {
					documents.add(new Document(file, i, trees.get(i)));
				}
			}
		}
		return documents;
	}

	/** Every resource of a type, read with its model. */
	static <T> List<T> all(Class<T> type) {
		return documents().stream()
			.filter((d) -> MODELS.get(d.type()) == type)
			.map((d) -> type.cast(d.model()))
			.toList();
	}

}
