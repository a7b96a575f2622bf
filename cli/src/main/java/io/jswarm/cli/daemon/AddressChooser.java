package io.jswarm.cli.daemon;

import io.jswarm.api.errors.InvalidArgumentException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Picks the address a node advertises when {@code --advertise-addr} is not given, the way Docker does: an
 * explicit IP or interface name wins; otherwise the only non-loopback IPv4 address of the machine; with several
 * the user must choose (the error lists them); with none, loopback (a single-machine cluster).
 */
final class AddressChooser {
  private AddressChooser() {}

  static String choose(String field, String requested, String listenHost) {
    if (requested != null && !requested.isBlank()) {
      return resolve(field, requested);
    }
    if (listenHost != null && !listenHost.isBlank() && !listenHost.equals("0.0.0.0") && !listenHost.equals("::")) {
      return resolve("--listen-addr", listenHost);
    }
    List<String> candidates = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
            candidates.add(a.getHostAddress() + " (on " + nif.getName() + ")");
          }
        }
      }
    } catch (SocketException e) {
      throw new IllegalStateException("cannot list network interfaces: " + e.getMessage(), e);
    }
    if (candidates.isEmpty()) {
      return "127.0.0.1";
    }
    if (candidates.size() > 1) {
      throw new InvalidArgumentException("could not choose an IP address to advertise since this system has "
          + "multiple addresses: " + String.join(", ", candidates) + "; specify one with --advertise-addr");
    }
    String c = candidates.get(0);
    return c.substring(0, c.indexOf(' '));
  }

  /** An IP literal as it is, or the first IPv4 address of the interface with that name. */
  private static String resolve(String field, String hostOrInterface) {
    if (hostOrInterface.matches("[0-9.]+") || hostOrInterface.contains(":")) {
      return hostOrInterface;
    }
    try {
      NetworkInterface nif = NetworkInterface.getByName(hostOrInterface);
      if (nif != null) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            return a.getHostAddress();
          }
        }
        throw new InvalidArgumentException(field + ": interface " + hostOrInterface + " has no IPv4 address");
      }
      return InetAddress.getByName(hostOrInterface).getHostAddress();
    } catch (java.io.IOException e) {
      throw new InvalidArgumentException(field + ": \"" + hostOrInterface
          + "\" is neither an IP address, an interface nor a resolvable host name");
    }
  }
}
