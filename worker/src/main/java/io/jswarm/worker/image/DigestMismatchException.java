package io.jswarm.worker.image;

import java.io.IOException;

/** Content whose digest (or size) is not the one it was announced with; it is never stored. */
public final class DigestMismatchException extends IOException {
  public DigestMismatchException(String message) {
    super(message);
  }
}
