package io.jswarm.worker.image;

import java.io.IOException;

/** A registry answered with an error; {@link #status()} is its HTTP status (404: it does not have the thing). */
public class RegistryException extends IOException {
  private final int status;

  public RegistryException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public boolean notFound() {
    return status == 404;
  }
}
