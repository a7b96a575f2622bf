package io.jswarm.cli.client;

/** A mistake in what the user typed, found before anything is sent; the message names the flag and what is allowed. */
public class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
