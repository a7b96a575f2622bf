package io.jswarm.api.errors;

/** A request or spec that breaks a rule; the message names the field and what is allowed (HTTP 400). */
public class InvalidArgumentException extends JswarmException {
  public InvalidArgumentException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 400;
  }
}
