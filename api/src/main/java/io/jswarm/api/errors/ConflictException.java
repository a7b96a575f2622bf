package io.jswarm.api.errors;

/** A name already in use, or an update against a stale version (HTTP 409). */
public class ConflictException extends JswarmException {
  public ConflictException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 409;
  }
}
