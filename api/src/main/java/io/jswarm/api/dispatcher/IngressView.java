package io.jswarm.api.dispatcher;

import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * What a node needs for the ingress routing mesh, pushed to every node (also nodes running no task): the node's own
 * address on the ingress network ({@code Node.Attachments}, with the network object: VXLAN id, subnet, gateway) and
 * every service publishing ports in ingress mode, with its endpoint ({@code Endpoint.Ports}, published ports filled
 * in) and its tasks that are on a node and not stopped, each with its status (state, health) and its ingress
 * attachment. The node turns the tasks into backends with the discovery rule (running, desired running, healthy when
 * the service has a health check). Always complete: each message replaces the previous one.
 *
 * <p>This is the ingress network's slice of the per-network service view the discovery feed pushes; the two can
 * become one message.
 */
public class IngressView {
  /** The node's attachment to the ingress network; null when it has none (no ingress network, not allocated yet). */
  public NetworkAttachment nodeAttachment;
  public List<ServiceTasks> services = new ArrayList<>();

  /** One service publishing ingress ports, with its live tasks. */
  public static class ServiceTasks {
    public Service service;
    public List<Task> tasks = new ArrayList<>();

    public ServiceTasks() {}

    public ServiceTasks(Service service, List<Task> tasks) {
      this.service = service;
      this.tasks = new ArrayList<>(tasks);
    }
  }

  /** The ingress network's id, or null. */
  public String networkId() {
    return nodeAttachment == null || nodeAttachment.network == null ? null : nodeAttachment.network.id;
  }
}
