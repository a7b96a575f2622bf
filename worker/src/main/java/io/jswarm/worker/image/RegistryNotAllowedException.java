package io.jswarm.worker.image;

/** A registry client was about to dial an address the daemon's {@code --registry-allow} does not allow. */
public final class RegistryNotAllowedException extends RegistryException {
  public RegistryNotAllowedException(String message) {
    super(403, message);
  }
}
