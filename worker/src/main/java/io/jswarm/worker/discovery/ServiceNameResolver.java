package io.jswarm.worker.discovery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Docker's service names, looked up over the networks a container is attached to (in attachment order; the first
 * network that knows a name answers):
 * <ul>
 *   <li>{@code SERVICE} (or an alias) -> the VIP; in endpoint mode dnsrr every task address, shuffled;</li>
 *   <li>{@code tasks.SERVICE} -> the address of every task that receives traffic, shuffled;</li>
 *   <li>{@code <service>.<slot>.<task id>} -> that task's address;</li>
 *   <li>each of these followed by {@code .NETWORK} -> the same, on that network only.</li>
 * </ul>
 * Returns empty when the name is none of these, so that the server forwards it.
 */
final class ServiceNameResolver {
  private ServiceNameResolver() {}

  static Optional<List<String>> resolve(List<ServiceDirectory.NetworkView> views, String name) {
    for (ServiceDirectory.NetworkView v : views) {
      Optional<List<String>> r = on(v, name);
      if (r.isPresent()) {
        return r;
      }
    }
    for (ServiceDirectory.NetworkView v : views) {
      String suffix = "." + v.networkName().toLowerCase();
      if (name.endsWith(suffix) && name.length() > suffix.length()) {
        Optional<List<String>> r = on(v, name.substring(0, name.length() - suffix.length()));
        if (r.isPresent()) {
          return r;
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Reverse lookup ({@code d.c.b.a.in-addr.arpa}) of an address on the container's networks: a task's address
   * gives {@code <task name>.<network>}, a VIP {@code <service>.<network>}, as Docker answers. Empty otherwise.
   */
  static Optional<String> reverse(List<ServiceDirectory.NetworkView> views, String name) {
    String suffix = ".in-addr.arpa";
    if (!name.endsWith(suffix)) {
      return Optional.empty();
    }
    String[] p = name.substring(0, name.length() - suffix.length()).split("\\.");
    if (p.length != 4) {
      return Optional.empty();
    }
    String address = p[3] + "." + p[2] + "." + p[1] + "." + p[0];
    for (ServiceDirectory.NetworkView v : views) {
      for (ServiceRecord s : v.services()) {
        if (address.equals(s.vip())) {
          return Optional.of(s.name() + "." + v.networkName());
        }
        for (ServiceRecord.TaskEndpoint t : s.tasks()) {
          if (address.equals(t.address())) {
            return Optional.of(t.name() + "." + v.networkName());
          }
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<List<String>> on(ServiceDirectory.NetworkView v, String name) {
    if (name.startsWith("tasks.")) {
      Optional<ServiceRecord> s = v.service(name.substring("tasks.".length()));
      if (s.isPresent()) {
        return Optional.of(taskAddresses(s.get()));
      }
    }
    Optional<ServiceRecord> s = v.service(name);
    if (s.isPresent()) {
      return Optional.of(s.get().dnsrr() ? taskAddresses(s.get()) : List.of(s.get().vip()));
    }
    return v.task(name).map(t -> List.of(t.address()));
  }

  private static List<String> taskAddresses(ServiceRecord s) {
    List<String> out = new ArrayList<>();
    for (ServiceRecord.TaskEndpoint t : s.tasks()) {
      out.add(t.address());
    }
    Collections.shuffle(out);
    return out;
  }
}
