package io.jswarm.api.errors;

/** The cluster cannot serve the request now: no quorum, no leader, not a manager (HTTP 503). Retryable. */
public class UnavailableException extends JswarmException {
  public UnavailableException(String message) {
    super(message);
  }

  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int httpStatus() {
    return 503;
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
