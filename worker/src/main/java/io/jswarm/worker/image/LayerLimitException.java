package io.jswarm.worker.image;

import io.jswarm.api.errors.InvalidArgumentException;

/** A layer that unpacks past this node's {@link UnpackLimits}: refused (HTTP 400), nothing of it kept. */
public final class LayerLimitException extends InvalidArgumentException {
  public LayerLimitException(String message) {
    super(message);
  }
}
