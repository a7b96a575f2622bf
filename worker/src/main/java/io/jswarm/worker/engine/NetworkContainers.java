package io.jswarm.worker.engine;

import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.worker.container.LocalContainer;
import io.jswarm.worker.container.LocalContainers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code Containers} of {@code docker network inspect}: the running task containers of this node that have an
 * endpoint on one network, as dockerd lists them on the node that answers. Each is keyed by container id with its
 * {@code Name}, {@code EndpointID} (stable: derived from the container and the network), {@code MacAddress} (the one
 * the node gives the task's interface, {@code 02:42:<address bytes>}), {@code IPv4Address} with its prefix length,
 * and an empty {@code IPv6Address}.
 */
public final class NetworkContainers {
  private NetworkContainers() {}

  /** The containers attached to {@code networkId}; none when this node runs no containers ({@code local} null). */
  public static Map<String, Object> of(LocalContainers local, String networkId) {
    Map<String, Object> out = new TreeMap<>();
    if (local == null || networkId == null) {
      return out;
    }
    for (LocalContainer c : local.all()) {
      if (!c.running() || c.task() == null || c.task().networksAttachments == null) {
        continue;
      }
      for (NetworkAttachment a : c.task().networksAttachments) {
        if (a == null || a.network == null || !networkId.equals(a.network.id) || a.addresses == null
            || a.addresses.isEmpty() || a.addresses.get(0) == null || a.addresses.get(0).isEmpty()) {
          continue;
        }
        String address = a.addresses.get(0);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("Name", c.name());
        e.put("EndpointID", endpointId(c.id(), networkId));
        e.put("MacAddress", NetworkEndpoints.macOf(address));
        e.put("IPv4Address", address.contains("/") ? address : address + "/32");
        e.put("IPv6Address", "");
        out.put(c.id(), e);
      }
    }
    return out;
  }

  /** 64 hex digits as Docker's endpoint ids, the same for a container and network at every call. */
  static String endpointId(String containerId, String networkId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest((networkId + "/" + containerId).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
