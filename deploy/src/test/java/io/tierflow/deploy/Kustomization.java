package io.tierflow.deploy;

import java.util.List;

/**
 * The fields of kustomize's {@code Kustomization} that k8s/kustomization.yaml uses
 * (typed, so that a misspelt field fails like the manifests' do).
 */
record Kustomization(String apiVersion, String kind, String namespace, List<String> resources, List<Image> images) {

	record Image(String name, String newName, String newTag, String digest) {
	}

}
