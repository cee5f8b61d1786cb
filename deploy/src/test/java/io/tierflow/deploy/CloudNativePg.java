package io.tierflow.deploy;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * A typed model of the CloudNativePG resources Tierflow declares
 * ({@code postgresql.cnpg.io/v1} {@code Cluster} and {@code Database}), written by hand
 * from CloudNativePG's API reference (1.25) for the fields k8s/postgres.yaml uses: there
 * is no Java model of it on Maven Central, and its CRDs cannot be fetched here. A field
 * that is not in the API reference must not be added to make a manifest pass; read it
 * there first.
 */
final class CloudNativePg {

	private CloudNativePg() {
	}

	record Cluster(String apiVersion, String kind, ObjectMeta metadata, ClusterSpec spec) {
	}

	record ClusterSpec(Integer instances, String imageName, PostgresConfiguration postgresql, Bootstrap bootstrap,
			Managed managed, Storage storage, Boolean enableSuperuserAccess) {
	}

	record PostgresConfiguration(Map<String, String> parameters, List<String> pg_hba) {
	}

	record Bootstrap(InitDb initdb) {
	}

	record InitDb(String database, String owner, LocalObjectReference secret, List<String> postInitSQL,
			List<String> postInitApplicationSQL) {
	}

	record Managed(List<Role> roles) {
	}

	/** {@code RoleConfiguration}. */
	record Role(String name, String comment, String ensure, LocalObjectReference passwordSecret,
			Integer connectionLimit, String validUntil, List<String> inRoles, Boolean inherit, Boolean disablePassword,
			Boolean superuser, Boolean createdb, Boolean createrole, Boolean login, Boolean replication,
			Boolean bypassrls) {
	}

	record Storage(String size, String storageClass) {
	}

	record LocalObjectReference(String name) {
	}

	record Database(String apiVersion, String kind, ObjectMeta metadata, DatabaseSpec spec) {
	}

	record DatabaseSpec(String name, String owner, LocalObjectReference cluster, String ensure,
			String databaseReclaimPolicy, String encoding, String template) {
	}

}
