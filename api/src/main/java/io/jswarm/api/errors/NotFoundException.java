package io.jswarm.api.errors;

/** The named object does not exist (HTTP 404). */
public class NotFoundException extends JswarmException {
  public NotFoundException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 404;
  }
}
