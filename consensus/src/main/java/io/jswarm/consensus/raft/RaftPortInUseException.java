package io.jswarm.consensus.raft;

import java.io.IOException;

/**
 * The Raft listener's address is taken by another process (or another member in this one). Thrown before Ratis
 * starts, so nothing was formatted, recovered or bound.
 */
public final class RaftPortInUseException extends IOException {
  private final String address;

  RaftPortInUseException(String address, IOException cause) {
    super("the Raft address " + address + " is already in use by another process (" + cause.getMessage() + ")", cause);
    this.address = address;
  }

  /** The HOST:PORT that could not be bound. */
  public String address() {
    return address;
  }
}
