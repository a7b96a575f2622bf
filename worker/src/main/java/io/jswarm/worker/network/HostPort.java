package io.jswarm.worker.network;

/** A host-mode published port of a task: {@code protocol} (tcp|udp) port {@code published} on the node -> {@code target}. */
record HostPort(String protocol, int published, int target) {
  String key() {
    return published + "/" + protocol;
  }
}
