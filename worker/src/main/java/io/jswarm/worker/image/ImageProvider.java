package io.jswarm.worker.image;

import java.io.IOException;

/**
 * What the container executor needs from the image store: an image, ready to stack, by the reference a service
 * names ({@code busybox}, {@code registry:5000/web:v2}, {@code name@sha256:...}). Implemented by the node's image
 * store, which pulls what it lacks from the image's registry or, failing that, from a manager that has it
 * (cluster-local distribution).
 */
public interface ImageProvider {
  /** The local image for {@code reference}, pulled first when it is not here. Thread-safe. */
  LocalImage prepare(String reference) throws IOException, InterruptedException;

  /**
   * {@link #prepare(String)} pulling with {@code registryAuth} (an {@code X-Registry-Auth} value, the service's
   * {@code --with-registry-auth} credentials; null for none), which go to the image's registry only.
   */
  default LocalImage prepare(String reference, String registryAuth) throws IOException, InterruptedException {
    return prepare(reference);
  }
}
