package io.jswarm.api.errors;

/** A request the server refuses whoever sends it from where it comes (HTTP 403), e.g. from a web page. */
public class ForbiddenException extends JswarmException {
  public ForbiddenException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 403;
  }
}
