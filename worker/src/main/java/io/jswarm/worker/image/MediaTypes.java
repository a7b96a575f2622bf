package io.jswarm.worker.image;

import java.util.Set;

/** The manifest, config and layer media types of Docker schema 2 and OCI. */
final class MediaTypes {
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
  static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
  static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  static final String DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

  static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_LIST);
  static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);

  /** What a registry client accepts for {@code GET /manifests/<ref>}. */
  static final String ACCEPT = String.join(", ", OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST);

  private MediaTypes() {}

  static boolean isLayer(String mediaType) {
    return mediaType != null && (mediaType.startsWith("application/vnd.oci.image.layer.")
        || mediaType.startsWith("application/vnd.docker.image.rootfs."));
  }

  static boolean isZstd(String mediaType) {
    return mediaType != null && mediaType.endsWith("+zstd");
  }
}
