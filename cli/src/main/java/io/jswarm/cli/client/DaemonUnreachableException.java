package io.jswarm.cli.client;

/** No connection to the daemon could be made (no socket, nothing listening, permission denied). */
public class DaemonUnreachableException extends RuntimeException {
  public DaemonUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
