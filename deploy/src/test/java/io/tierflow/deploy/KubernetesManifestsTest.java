package io.tierflow.deploy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * k8s/: every manifest reads with its typed model (unknown fields fail), and what the
 * manifests declare fits what the services read and need.
 */
class KubernetesManifestsTest {

	private static final String PART_OF = "app.kubernetes.io/part-of";

	@TestFactory
	Stream<DynamicTest> everyManifestReadsWithItsTypedModel() {
		return Manifests.documents()
			.stream()
			.map((d) -> DynamicTest.dynamicTest(d.toString(), () -> assertThat(d.model()).isNotNull()));
	}

	@Test
	void unknownFieldsFailTheTypedModels() {
		assertThatExceptionOfType(UnrecognizedPropertyException.class).isThrownBy(() -> StrictMapper.YAML.readValue("""
				apiVersion: apps/v1
				kind: Deployment
				metadata: {name: x}
				spec: {replcas: 2}
				""", Deployment.class));
		assertThatExceptionOfType(UnrecognizedPropertyException.class).isThrownBy(() -> StrictMapper.YAML.readValue("""
				apiVersion: kafka.strimzi.io/v1
				kind: KafkaTopic
				metadata: {name: x}
				spec: {partitions: 3, replication: 3}
				""", KafkaTopic.class));
		assertThatExceptionOfType(UnrecognizedPropertyException.class).isThrownBy(() -> StrictMapper.YAML.readValue("""
				apiVersion: postgresql.cnpg.io/v1
				kind: Cluster
				metadata: {name: x}
				spec: {instances: 3, bootstrap: {initdb: {database: a, ownr: b}}}
				""", CloudNativePg.Cluster.class));
		assertThatExceptionOfType(UnrecognizedPropertyException.class).isThrownBy(() -> StrictMapper.YAML.readValue("""
				apiVersion: monitoring.coreos.com/v1
				kind: ServiceMonitor
				metadata: {name: x}
				spec: {endpoints: [{port: management, pth: /actuator/prometheus}]}
				""", ServiceMonitor.class));
	}

	@Test
	void kustomizationListsEveryManifestInTheNamespaceFile() {
		Kustomization kustomization = StrictMapper.YAML.readValue(Manifests.DIR.resolve("kustomization.yaml").toFile(),
				Kustomization.class);
		assertThat(kustomization.resources()).containsExactlyInAnyOrderElementsOf(
				Manifests.files().stream().map((p) -> p.getFileName().toString()).toList());
		assertThat(Manifests.documents()).filteredOn((d) -> !d.type().equals("v1/Namespace"))
			.allSatisfy((d) -> assertThat(d.tree().path("metadata").path("namespace").asString()).as(d.toString())
				.isEqualTo("tierflow"));
	}

	@Test
	void everyServiceRunsItsImageWithProbesAndItsLabels() {
		Map<String, Deployment> deployments = deployments();
		assertThat(deployments).containsOnlyKeys(Repository.SERVICES);
		for (String name : Repository.SERVICES) {
			Deployment deployment = deployments.get(name);
			Container container = container(deployment);
			assertThat(container.getImage()).isEqualTo("tierflow/" + name + ":" + Repository.version());
			assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(PART_OF, "tierflow");
			assertProbe(container.getStartupProbe(), "/livez");
			assertProbe(container.getLivenessProbe(), "/livez");
			assertProbe(container.getReadinessProbe(), "/readyz");
			assertThat(container.getPorts()).extracting((p) -> p.getName() + ":" + p.getContainerPort())
				.containsExactlyInAnyOrder("http:8080", "management:9080");
			assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
		}
	}

	@Test
	void everyDeploymentSetsTheEnvironmentItsServiceReads() {
		Map<String, Deployment> deployments = deployments();
		Set<String> readByAny = Repository.variablesAnyServiceReads();
		for (String name : Repository.SERVICES) {
			Set<String> set = environment(container(deployments.get(name))).keySet();
			assertThat(set).as(name).containsAll(Repository.variablesForTheCluster(name));
			if (!name.equals("gateway")) {
				assertThat(set).as(name + ": signs in to Kafka")
					.contains("SPRING_KAFKA_SECURITY_PROTOCOL", "SPRING_KAFKA_PROPERTIES_SASL_MECHANISM",
							"SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG");
			}
			assertThat(set).as(name + ": a TIERFLOW_ variable no service reads (a typo?)")
				.filteredOn((v) -> v.startsWith("TIERFLOW_"))
				.isSubsetOf(readByAny);
			assertThat(set).as(name).doesNotContain("SPRING_PROFILES_ACTIVE", "TIERFLOW_DEV_TOKENS");
		}
	}

	@Test
	void secretsComeFromTheSecretScriptOrFromStrimzi() {
		Map<String, Set<String>> secrets = scriptedSecrets();
		for (KafkaUser user : Manifests.all(KafkaUser.class)) {
			secrets.put(user.getMetadata().getName(), Set.of("password", "sasl.jaas.config"));
		}
		List<String> references = new ArrayList<>();
		for (Deployment deployment : deployments().values()) {
			for (EnvVar env : container(deployment).getEnv()) {
				if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
					references.add(env.getValueFrom().getSecretKeyRef().getName() + "/"
							+ env.getValueFrom().getSecretKeyRef().getKey());
				}
			}
		}
		for (CloudNativePg.Cluster cluster : Manifests.all(CloudNativePg.Cluster.class)) {
			references.add(cluster.spec().bootstrap().initdb().secret().name() + "/password");
			cluster.spec().managed().roles().forEach((r) -> references.add(r.passwordSecret().name() + "/password"));
		}
		ServiceMonitor monitor = Manifests.all(ServiceMonitor.class).get(0);
		for (Endpoint endpoint : monitor.getSpec().getEndpoints()) {
			references.add(endpoint.getOauth2().getClientId().getSecret().getName() + "/"
					+ endpoint.getOauth2().getClientId().getSecret().getKey());
			references.add(endpoint.getOauth2().getClientSecret().getName() + "/"
					+ endpoint.getOauth2().getClientSecret().getKey());
		}
		assertThat(references).isNotEmpty().allSatisfy((ref) -> {
			String[] parts = ref.split("/", 2);
			assertThat(secrets).as(ref).containsKey(parts[0]);
			assertThat(secrets.get(parts[0])).as(ref).contains(parts[1]);
		});
	}

	@Test
	void everyDatabaseIsCreatedOnItsClusterOwnedByTheServicesRole() {
		Map<String, String> hosts = Map.of("TIERFLOW_PG", hostCluster("TIERFLOW_PG"), "TIERFLOW_PG_DEDICATED",
				hostCluster("TIERFLOW_PG_DEDICATED"), "TIERFLOW_PG_ENTERPRISE", hostCluster("TIERFLOW_PG_ENTERPRISE"));
		assertThat(new HashSet<>(hosts.values())).hasSize(3);
		Map<String, CloudNativePg.Cluster> clusters = Manifests.all(CloudNativePg.Cluster.class)
			.stream()
			.collect(Collectors.toMap((c) -> c.metadata().getName(), Function.identity()));
		assertThat(clusters).containsOnlyKeys(hosts.values());
		// database@cluster -> owner
		Map<String, String> created = new HashMap<>();
		clusters.values()
			.forEach((c) -> created.put(c.spec().bootstrap().initdb().database() + "@" + c.metadata().getName(),
					c.spec().bootstrap().initdb().owner()));
		for (CloudNativePg.Database db : Manifests.all(CloudNativePg.Database.class)) {
			assertThat(db.spec().ensure()).isEqualTo("present");
			assertThat(created.put(db.spec().name() + "@" + db.spec().cluster().name(), db.spec().owner()))
				.as("declared twice: " + db.spec().name())
				.isNull();
		}
		Map<String, Set<String>> secrets = scriptedSecrets();
		Map<String, String> usernames = scriptedUsernames();
		for (String name : Repository.SERVICES) {
			Map<String, EnvVar> env = container(deployments().get(name)).getEnv()
				.stream()
				.collect(Collectors.toMap(EnvVar::getName, Function.identity()));
			String role = usernames.get(env.get("TIERFLOW_PG_USER").getValueFrom().getSecretKeyRef().getName());
			assertThat(role).as(name).isNotNull().isNotEqualTo("postgres");
			Map<String, String> databases = Repository.databases(name);
			assertThat(databases).as(name).isNotEmpty();
			databases.forEach((database, variable) -> {
				String cluster = hosts.get(variable);
				assertThat(created).as(name + ": " + database + " on " + cluster)
					.containsEntry(database + "@" + cluster, role);
				CloudNativePg.Role declared = clusters.get(cluster)
					.spec()
					.managed()
					.roles()
					.stream()
					.filter((r) -> r.name().equals(role))
					.findFirst()
					.orElseThrow(() -> new AssertionError(role + " is not a role of " + cluster));
				assertThat(declared.login()).isTrue();
				assertThat(declared.superuser()).isNotEqualTo(Boolean.TRUE);
				assertThat(declared.bypassrls()).isNotEqualTo(Boolean.TRUE);
				if (Repository.TENANT_DATA.contains(name)) {
					assertThat(List.of(declared.createdb(), declared.createrole(), declared.replication()))
						.as(role + " creates tenant databases, its application role and replication slots")
						.containsOnly(Boolean.TRUE);
				}
			});
		}
		assertThat(secrets).isNotEmpty();
		for (CloudNativePg.Cluster cluster : clusters.values()) {
			assertThat(cluster.spec().instances()).isGreaterThanOrEqualTo(3);
			assertThat(cluster.spec().postgresql().parameters()).containsEntry("wal_level", "logical");
			assertThat(cluster.spec().enableSuperuserAccess()).isNotEqualTo(Boolean.TRUE);
		}
	}

	@Test
	void everyTopicIsDeclaredReplicatedAndRetained() {
		Map<String, KafkaTopic> topics = Manifests.all(KafkaTopic.class)
			.stream()
			.collect(Collectors.toMap(
					(t) -> Objects.requireNonNullElse(t.getSpec().getTopicName(), t.getMetadata().getName()),
					Function.identity()));
		assertThat(topics).containsOnlyKeys(Repository.topics());
		topics.values().forEach((t) -> {
			assertThat(t.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "tierflow");
			assertThat(t.getSpec().getReplicas()).isEqualTo(3);
			assertThat(t.getSpec().getPartitions()).isPositive();
			assertThat(t.getSpec().getConfig()).containsEntry("min.insync.replicas", 2).containsKey("retention.ms");
		});
		// The binder writes a dead letter to the partition its record came from.
		for (String service : Repository.SERVICES) {
			int most = Repository.consumedTopics(service)
				.stream()
				.mapToInt((t) -> topics.get(t).getSpec().getPartitions())
				.max()
				.orElse(0);
			for (String dlq : Repository.deadLetterTopics(service)) {
				assertThat(topics.get(dlq).getSpec().getPartitions()).as(dlq).isGreaterThanOrEqualTo(most);
			}
		}
		Kafka kafka = Manifests.all(Kafka.class).get(0);
		assertThat(kafka.getSpec().getKafka().getConfig()).containsEntry("min.insync.replicas", 2)
			.containsEntry("default.replication.factor", 3)
			.containsEntry("auto.create.topics.enable", false);
		assertThat(kafka.getSpec().getEntityOperator().getTopicOperator()).isNotNull();
		assertThat(kafka.getSpec().getEntityOperator().getUserOperator()).isNotNull();
	}

	@Test
	void onlyTierflowsPodsReachPostgresAndKafka() {
		NetworkPolicy postgres = Manifests.all(NetworkPolicy.class)
			.stream()
			.filter((p) -> p.getMetadata().getName().equals("tierflow-postgres"))
			.findFirst()
			.orElseThrow();
		assertThat(postgres.getSpec().getPodSelector().getMatchExpressions()).singleElement().satisfies((e) -> {
			assertThat(e.getKey()).isEqualTo("cnpg.io/cluster");
			assertThat(e.getValues()).containsExactlyInAnyOrderElementsOf(
					Manifests.all(CloudNativePg.Cluster.class).stream().map((c) -> c.metadata().getName()).toList());
		});
		List<NetworkPolicyIngressRule> to5432 = postgres.getSpec()
			.getIngress()
			.stream()
			.filter((r) -> r.getPorts() != null
					&& r.getPorts().stream().anyMatch((p) -> p.getPort().getIntVal() == 5432))
			.toList();
		assertThat(to5432).singleElement()
			.satisfies((r) -> assertThat(r.getFrom()).singleElement()
				.satisfies((peer) -> assertThat(peer.getPodSelector().getMatchLabels()).containsEntry(PART_OF,
						"tierflow")));
		List<GenericKafkaListener> listeners = Manifests.all(Kafka.class).get(0).getSpec().getKafka().getListeners();
		assertThat(listeners).isNotEmpty().allSatisfy((l) -> {
			assertThat(l.getAuth()).as(l.getName() + " signs clients in").isNotNull();
			assertThat(l.getNetworkPolicyPeers()).singleElement()
				.satisfies((peer) -> assertThat(peer.getPodSelector().getMatchLabels()).containsEntry(PART_OF,
						"tierflow"));
		});
	}

	@Test
	void availabilityScalingAndMonitoringCoverEveryService() {
		Set<String> deployments = deployments().keySet();
		assertThat(Manifests.all(PodDisruptionBudget.class))
			.extracting((p) -> p.getSpec().getSelector().getMatchLabels().get("app"))
			.containsExactlyInAnyOrderElementsOf(deployments);
		HorizontalPodAutoscaler hpa = Manifests.all(HorizontalPodAutoscaler.class).get(0);
		assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("simulation-service");
		assertThat(hpa.getSpec().getMetrics()).singleElement()
			.satisfies((m) -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
		assertThat(deployments().get("simulation-service").getSpec().getReplicas()).as("left to the autoscaler")
			.isNull();
		ServiceMonitor monitor = Manifests.all(ServiceMonitor.class).get(0);
		Map<String, String> selector = monitor.getSpec().getSelector().getMatchLabels();
		List<Service> scraped = Manifests.all(Service.class)
			.stream()
			.filter((s) -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
			.toList();
		assertThat(scraped).extracting((s) -> s.getSpec().getSelector().get("app"))
			.containsExactlyInAnyOrderElementsOf(deployments);
		assertThat(scraped).allSatisfy((s) -> assertThat(s.getSpec().getPorts()).singleElement()
			.satisfies((p) -> assertThat(p.getName()).isEqualTo("management")));
		assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies((e) -> {
			assertThat(e.getPort()).isEqualTo("management");
			assertThat(e.getPath()).isEqualTo("/actuator/prometheus");
			assertThat(e.getOauth2().getTokenUrl()).endsWith("/oauth2/token");
		});
	}

	@Test
	void fileServiceKeepsBlobsInS3NotOnAPod() {
		Deployment file = deployments().get("file-service");
		assertThat(environment(container(file))).containsKey("TIERFLOW_FILE_S3_ENDPOINT")
			.doesNotContainKey("TIERFLOW_FILE_BLOBS");
		assertThat(file.getSpec().getTemplate().getSpec().getVolumes())
			.allSatisfy((Volume v) -> assertThat(v.getEmptyDir() == null || container(file).getVolumeMounts()
				.stream()
				.anyMatch((m) -> m.getName().equals(v.getName()) && m.getMountPath().equals("/tmp")))
				.as(v.getName() + " is the temp directory or shared")
				.isTrue());
	}

	private static void assertProbe(Probe probe, String path) {
		assertThat(probe).isNotNull();
		assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
		assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
	}

	static Map<String, Deployment> deployments() {
		return Manifests.all(Deployment.class)
			.stream()
			.collect(Collectors.toMap((d) -> d.getMetadata().getName(), Function.identity()));
	}

	static Container container(Deployment deployment) {
		assertThat(deployment.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
		return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
	}

	/** A container's environment: its env, and the ConfigMaps its envFrom names. */
	static Map<String, String> environment(Container container) {
		Map<String, ConfigMap> configMaps = Manifests.all(ConfigMap.class)
			.stream()
			.collect(Collectors.toMap((c) -> c.getMetadata().getName(), Function.identity()));
		Map<String, String> env = new HashMap<>();
		for (EnvFromSource from : container.getEnvFrom()) {
			assertThat(from.getSecretRef()).as("secrets by key, not envFrom").isNull();
			ConfigMap configMap = configMaps.get(from.getConfigMapRef().getName());
			assertThat(configMap).as(from.getConfigMapRef().getName()).isNotNull();
			env.putAll(configMap.getData());
		}
		for (EnvVar var : container.getEnv()) {
			env.put(var.getName(), (var.getValue() != null) ? var.getValue() : "<secret>");
		}
		return env;
	}

	/** The cluster a variable's JDBC URL points at ({@code <cluster>-rw}). */
	private static String hostCluster(String variable) {
		String url = Manifests.all(ConfigMap.class).get(0).getData().get(variable);
		Matcher m = Pattern.compile("jdbc:postgresql://([a-z0-9-]+)-rw:5432").matcher(url);
		assertThat(m.matches()).as(variable + "=" + url).isTrue();
		return m.group(1);
	}

	/** The Secrets create-secrets.sh creates, with their keys. */
	static Map<String, Set<String>> scriptedSecrets() {
		Map<String, Set<String>> secrets = new HashMap<>();
		String script = Repository.read(Manifests.DIR.resolve("create-secrets.sh")).replace("\\\n", " ");
		Matcher basic = Pattern.compile("(?m)^basic_auth (\\S+) (\\S+)$").matcher(script);
		while (basic.find()) {
			secrets.put(basic.group(1), Set.of("username", "password"));
		}
		Matcher generic = Pattern.compile("(?m)^generic (\\S+) (.*)$").matcher(script);
		while (generic.find()) {
			Set<String> keys = new TreeSet<>();
			Matcher literal = Pattern.compile("--from-literal=([a-z.-]+)=").matcher(generic.group(2));
			while (literal.find()) {
				keys.add(literal.group(1));
			}
			secrets.put(generic.group(1), keys);
		}
		return secrets;
	}

	/** The username of each basic-auth Secret of create-secrets.sh. */
	static Map<String, String> scriptedUsernames() {
		Map<String, String> usernames = new HashMap<>();
		Matcher basic = Pattern.compile("(?m)^basic_auth (\\S+) (\\S+)$")
			.matcher(Repository.read(Manifests.DIR.resolve("create-secrets.sh")));
		while (basic.find()) {
			usernames.put(basic.group(1), basic.group(2));
		}
		return usernames;
	}

}
