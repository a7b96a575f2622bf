package io.jswarm.transport.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free TCP port for a listener that another process (a daemon a test or a benchmark starts) opens a moment later.
 * The port is drawn below the kernel's ephemeral range (ip_local_port_range starts at 32768 by default) and below
 * Docker's dynamic published ports (30000-32767): a port the kernel handed out for a bind to port 0 is an ephemeral
 * one, which any outgoing connection on the machine (an agent's, a Raft client's) may take before the listener binds
 * it ("Address already in use").
 */
public final class FreePorts {
  /** The ports drawn from: [{@value #FIRST}, {@value #LAST}]. */
  static final int FIRST = 20000;
  static final int LAST = 29999;
  private static final int ATTEMPTS = 200;

  private FreePorts() {}

  /** A port no one listens on now, on any address, drawn from [{@value #FIRST}, {@value #LAST}]. */
  public static int pick() throws IOException {
    for (int i = 0; i < ATTEMPTS; i++) {
      int port = ThreadLocalRandom.current().nextInt(FIRST, LAST + 1);
      if (free(port)) {
        return port;
      }
    }
    throw new IOException("no free TCP port found in " + FIRST + "-" + LAST + " after " + ATTEMPTS + " tries");
  }

  private static boolean free(int port) {
    try (ServerSocket any = new ServerSocket()) {
      any.setReuseAddress(false);
      any.bind(new InetSocketAddress((InetAddress) null, port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
