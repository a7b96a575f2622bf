package io.jswarm.api.errors;

/**
 * Base of the typed errors. Each subclass maps to one HTTP status of the Docker Engine API; the message is
 * what the user sees, so it says what went wrong and what to do.
 */
public abstract class JswarmException extends RuntimeException {
  protected JswarmException(String message) {
    super(message);
  }

  protected JswarmException(String message, Throwable cause) {
    super(message, cause);
  }

  /** HTTP status code the control API answers with. */
  public abstract int httpStatus();

  /** True when the same request may succeed if retried later (no leader yet, no quorum, ...). */
  public boolean retryable() {
    return false;
  }
}
