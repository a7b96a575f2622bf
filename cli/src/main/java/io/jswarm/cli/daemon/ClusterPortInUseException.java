package io.jswarm.cli.daemon;

import java.io.IOException;

/** The cluster port's address is held by another process past {@link ManagerRole#PORT_RELEASE}. */
final class ClusterPortInUseException extends IOException {
  ClusterPortInUseException(String address, IOException cause) {
    super("the cluster address " + address + " is already in use by another process (" + cause.getMessage() + ")",
        cause);
  }
}
