package io.jswarm.worker.discovery;

import java.util.List;
import java.util.Objects;

/**
 * What one service looks like on one network, as far as name resolution and load balancing care.
 *
 * @param serviceId the service's id
 * @param name the service's name ({@code Spec.Name}), answered as {@code NAME} and {@code NAME.NETWORK}
 * @param aliases extra names of the service on this network ({@code TaskTemplate.Networks[].Aliases}); may be empty
 * @param vip the service's virtual IP on this network without prefix length ({@code 10.0.1.2}), or null for
 *     endpoint mode dnsrr (the name then resolves to every task address)
 * @param tasks the tasks that may receive traffic: running, and healthy when the service has a health check.
 *     The feeder decides (see {@link ServiceRecords}); the directory, the DNS and the balancer take the list as is.
 */
public record ServiceRecord(String serviceId, String name, List<String> aliases, String vip, List<TaskEndpoint> tasks) {
  public ServiceRecord {
    Objects.requireNonNull(serviceId, "serviceId");
    Objects.requireNonNull(name, "name");
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
    tasks = tasks == null ? List.of() : List.copyOf(tasks);
  }

  /** Endpoint mode dnsrr: no VIP. */
  public boolean dnsrr() {
    return vip == null;
  }

  /**
   * One task of the service on this network.
   *
   * @param name the task's name as Docker names its container: {@code <service>.<slot>.<task id>} (replicated)
   *     or {@code <service>.<node id>.<task id>} (global)
   * @param address the task's address on this network without prefix length
   */
  public record TaskEndpoint(String name, String address) {
    public TaskEndpoint {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(address, "address");
    }
  }
}
