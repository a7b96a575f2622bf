package io.jswarm.api.dispatcher;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * The services of one overlay network as a node needs them for name resolution and load balancing (embedded DNS,
 * VIP rules, the routing mesh), pushed by the dispatcher in {@link DispatcherMessage#SERVICES} messages.
 *
 * <p>The objects are the store's, cut down to what matters here, so that the node can read them with the same code
 * as full ones (and a change elsewhere in a service or task is not pushed):
 * <ul>
 *   <li>{@code Services}: {@code ID}; {@code Spec.Name}; {@code Spec.EndpointSpec.Mode};
 *       {@code Spec.TaskTemplate.ContainerSpec.Healthcheck.Test} (only when the service has a health check);
 *       {@code Spec.TaskTemplate.Networks}: only this network's entry, when it has {@code Aliases};
 *       {@code Endpoint.Spec.Mode}, {@code Endpoint.Ports} (the published ports, numbers filled in) and
 *       {@code Endpoint.VirtualIPs}: only this network's VIP (none in endpoint mode dnsrr).</li>
 *   <li>{@code Tasks}: the tasks that run on the network, on any node (observed state RUNNING, desired state
 *       RUNNING or earlier); {@code ID}, {@code ServiceID}, {@code Slot}, {@code NodeID}, {@code DesiredState},
 *       {@code Status.State}, {@code Status.ContainerStatus.Health} (when the container reports one) and
 *       {@code NetworksAttachments}: only this network's entry ({@code Network.ID}, {@code Addresses}).
 *       A task that stops running, or is told to stop, is removed.</li>
 * </ul>
 *
 * <p>With {@code Full} the lists replace what the node had for the network; otherwise {@code Services} and
 * {@code Tasks} are added or changed and {@code RemovedServices} / {@code RemovedTasks} (ids) are gone.
 * {@code Left}: the node gets nothing more for this network and drops it.
 *
 * <p>The ingress network ({@code Ingress}) reaches every node with an address on it, also nodes running no task: it
 * is what the routing mesh balances over (the services publishing ingress ports and their running tasks). There
 * {@code NodeAttachment} is the receiving node's own ingress attachment ({@code Node.Attachments}, with the network
 * object: VXLAN id, subnet, gateway): set in the full view and in any change that moves it, absent otherwise (the
 * node keeps the one it has). A node that loses its ingress address gets {@code Left}.
 */
public class NetworkServices {
  @JsonProperty("NetworkID")
  public String networkId;
  /** The network's name ({@code Spec.Name}): DNS answers {@code NAME.NETWORK}. */
  public String networkName;
  /** True for the swarm's ingress network (the routing mesh; no embedded DNS on it). */
  public Boolean ingress;
  public Boolean full;
  public Boolean left;
  /** The receiving node's own attachment to this (ingress) network; null when unchanged or not the ingress network. */
  public NetworkAttachment nodeAttachment;
  public List<Service> services = new ArrayList<>();
  public List<Task> tasks = new ArrayList<>();
  public List<String> removedServices = new ArrayList<>();
  public List<String> removedTasks = new ArrayList<>();

  public NetworkServices() {}

  /** A full view ({@code full}) or a change of network {@code networkId}. */
  public static NetworkServices of(String networkId, String networkName, boolean ingress, boolean full,
      List<Service> services, List<Task> tasks, List<String> removedServices, List<String> removedTasks) {
    NetworkServices n = new NetworkServices();
    n.networkId = networkId;
    n.networkName = networkName;
    n.ingress = ingress ? Boolean.TRUE : null;
    n.full = full;
    n.services = new ArrayList<>(services);
    n.tasks = new ArrayList<>(tasks);
    n.removedServices = new ArrayList<>(removedServices);
    n.removedTasks = new ArrayList<>(removedTasks);
    return n;
  }

  /** The node no longer gets records of network {@code networkId}. */
  public static NetworkServices left(String networkId) {
    NetworkServices n = new NetworkServices();
    n.networkId = networkId;
    n.left = true;
    return n;
  }

  public boolean isFull() {
    return Boolean.TRUE.equals(full);
  }

  public boolean isLeft() {
    return Boolean.TRUE.equals(left);
  }

  public boolean isIngress() {
    return Boolean.TRUE.equals(ingress);
  }
}
