package io.jswarm.manager.dispatcher;

import io.jswarm.api.errors.JswarmException;

/** The caller's certificate does not allow this: no client certificate, or a task of another node (HTTP 403). */
final class PermissionDeniedException extends JswarmException {
  PermissionDeniedException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 403;
  }
}
