package io.jswarm.overlay.allocator;

import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.List;

/**
 * Which networks a task must be attached to before it may be scheduled, and whether it is: the networks of its
 * spec ({@code Spec.Networks}, by id or name), plus the {@code ingress} network when its service publishes a port
 * in ingress mode with endpoint mode {@code vip}. A task that needs nothing is always allocated: services with no
 * networks pass straight from NEW to scheduling. The scheduler loop and the allocator loop both ask this, so they
 * never disagree on whose turn a task is.
 */
public final class NetworkNeeds {
  private NetworkNeeds() {}

  /** The network references (ids, or names in older specs) of the task's spec, without duplicates, in order. */
  /** The networks a service's spec names: its task template's, then Docker's deprecated {@code Spec.Networks}. */
  public static List<NetworkAttachmentConfig> specNetworks(Service s) {
    List<NetworkAttachmentConfig> out = new ArrayList<>();
    if (s.spec != null && s.spec.taskTemplate != null && s.spec.taskTemplate.networks != null) {
      out.addAll(s.spec.taskTemplate.networks);
    }
    if (s.spec != null && s.spec.networks != null) {
      out.addAll(s.spec.networks);
    }
    return out;
  }

  public static List<String> targets(Task t) {
    List<String> out = new ArrayList<>();
    if (t.spec != null && t.spec.networks != null) {
      for (NetworkAttachmentConfig c : t.spec.networks) {
        if (c != null && c.target != null && !c.target.isEmpty() && !out.contains(c.target)) {
          out.add(c.target);
        }
      }
    }
    return out;
  }

  /** Whether the service's tasks join the ingress network: a port published in ingress mode, endpoint mode vip. */
  public static boolean wantsIngress(Service s) {
    EndpointSpec e = s == null || s.spec == null ? null : s.spec.endpointSpec;
    if (e == null || e.ports == null || "dnsrr".equals(e.mode)) {
      return false;
    }
    for (PortConfig p : e.ports) {
      if (p != null && (p.publishMode == null || p.publishMode.isEmpty() || "ingress".equals(p.publishMode))) {
        return true;
      }
    }
    return false;
  }

  /** Whether the service gets virtual IPs (endpoint mode {@code vip}, the default). */
  public static boolean wantsVips(Service s) {
    EndpointSpec e = s == null || s.spec == null ? null : s.spec.endpointSpec;
    return e == null || e.mode == null || e.mode.isEmpty() || "vip".equals(e.mode);
  }

  /** Whether the task needs any network at all. */
  public static boolean needsNetworks(Task t, Service s) {
    return !targets(t).isEmpty() || wantsIngress(s);
  }

  /**
   * Whether the task has an attachment, with an address, for every network it needs ({@code service} may be null
   * when it is gone).
   */
  public static boolean allocated(Task t, Service service) {
    for (String target : targets(t)) {
      if (attachment(t, target) == null) {
        return false;
      }
    }
    if (wantsIngress(service)) {
      for (NetworkAttachment a : attachments(t)) {
        if (a.network != null && a.network.spec != null && Boolean.TRUE.equals(a.network.spec.ingress)
            && hasAddress(a)) {
          return true;
        }
      }
      return false;
    }
    return true;
  }

  /**
   * Whether a task still holds its addresses: false once it is meant to stop (desired state past RUNNING) and either
   * has stopped (observed state past RUNNING, swarmkit's rule) or never left the manager (NEW or PENDING: the
   * scheduler will not place it any more, so no node can be using the address). A task on a node that went down
   * keeps them: the node may only be cut off and still run it.
   */
  public static boolean holdsAddresses(Task t) {
    TaskState observed = t.status == null || t.status.state == null ? TaskState.NEW : t.status.state;
    boolean stopping = t.desiredState != null && t.desiredState.number() > TaskState.RUNNING.number();
    return !(stopping && (observed.number() > TaskState.RUNNING.number()
        || observed.number() <= TaskState.PENDING.number()));
  }

  /** The task's attachment to the network {@code target} names (its id or name), with an address; or null. */
  public static NetworkAttachment attachment(Task t, String target) {
    for (NetworkAttachment a : attachments(t)) {
      if (a.network != null && (target.equals(a.network.id)
          || (a.network.spec != null && target.equals(a.network.spec.name))) && hasAddress(a)) {
        return a;
      }
    }
    return null;
  }

  private static List<NetworkAttachment> attachments(Task t) {
    List<NetworkAttachment> out = new ArrayList<>();
    if (t.networksAttachments != null) {
      for (NetworkAttachment a : t.networksAttachments) {
        if (a != null) {
          out.add(a);
        }
      }
    }
    return out;
  }

  private static boolean hasAddress(NetworkAttachment a) {
    return a.addresses != null && !a.addresses.isEmpty();
  }
}
