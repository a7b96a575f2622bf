package io.jswarm.cli.client;

/** The daemon answered with an error status; {@code message} is the {@code "message"} of its JSON body. */
public class DaemonErrorException extends RuntimeException {
  private final int status;

  public DaemonErrorException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status: 400 bad parameter, 404 not found, 409 conflict, 500 server error, 503 not a manager. */
  public int status() {
    return status;
  }
}
