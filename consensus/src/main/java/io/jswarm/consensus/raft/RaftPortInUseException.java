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

  /** Throws this exception when {@code address} (HOST:PORT) cannot be bound now ({@link RaftNode#checkAddressFree}). */
  static void checkFree(String address) throws RaftPortInUseException {
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = Integer.parseInt(address.substring(colon + 1));
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true); // the same option gRPC's listener sets: TIME_WAIT leftovers do not count
      probe.bind(new java.net.InetSocketAddress(host, port));
    } catch (java.net.BindException e) {
      throw new RaftPortInUseException(address, e);
    } catch (IOException e) {
      // another failure (an address not on this host, ...): Ratis reports it with its own words
    }
  }

  /** The HOST:PORT that could not be bound. */
  public String address() {
    return address;
  }
}
