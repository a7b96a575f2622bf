package io.jswarm.manager.controlapi;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.consensus.store.ReadTx;
import java.util.ArrayList;
import java.util.List;

/**
 * The service rules that need the store (SpecValidator checks the spec alone): referenced secrets, configs and
 * networks exist (their names are replaced by ids), and an ingress-published port is not already taken by another
 * service. Messages follow swarmkit's.
 */
final class ServiceReferences {
  private ServiceReferences() {}

  /** Checks {@code spec} for service {@code selfId} (null when creating). */
  static void check(ReadTx tx, ServiceSpec spec, String selfId) {
    ContainerSpec c = spec.taskTemplate == null ? null : spec.taskTemplate.containerSpec;
    if (c != null && c.secrets != null) {
      List<String> missing = new ArrayList<>();
      for (ContainerSpec.SecretReference s : c.secrets) {
        if (s != null && tx.secrets().get(s.secretId) == null) {
          missing.add(s.secretName != null ? s.secretName : s.secretId);
        }
      }
      if (!missing.isEmpty()) {
        throw new InvalidArgumentException("Spec.TaskTemplate.ContainerSpec.Secrets: secret not found: "
            + String.join(", ", missing) + "; create it first (jswarm secret create NAME FILE)");
      }
    }
    if (c != null && c.configs != null) {
      List<String> missing = new ArrayList<>();
      for (ContainerSpec.ConfigReference r : c.configs) {
        if (r != null && tx.configs().get(r.configId) == null) {
          missing.add(r.configName != null ? r.configName : r.configId);
        }
      }
      if (!missing.isEmpty()) {
        throw new InvalidArgumentException("Spec.TaskTemplate.ContainerSpec.Configs: config not found: "
            + String.join(", ", missing) + "; create it first (jswarm config create NAME FILE)");
      }
    }
    if (spec.taskTemplate != null && (spec.taskTemplate.networks == null || spec.taskTemplate.networks.isEmpty())
        && spec.networks != null && !spec.networks.isEmpty()) {
      spec.taskTemplate.networks = spec.networks; // Docker's deprecated place: tasks take theirs from the template
      spec.networks = null;
    }
    networks(tx, spec.taskTemplate == null ? null : spec.taskTemplate.networks);
    networks(tx, spec.networks);
    ports(tx, spec, selfId);
  }

  private static void networks(ReadTx tx, List<NetworkAttachmentConfig> attachments) {
    if (attachments == null) {
      return;
    }
    List<String> seen = new ArrayList<>();
    for (NetworkAttachmentConfig a : attachments) {
      if (a == null || a.target == null) {
        continue;
      }
      Network n = tx.networks().get(a.target);
      if (n == null) {
        n = tx.networks().byName(a.target);
      }
      if (n == null) {
        throw new NotFoundException("network " + a.target + " not found");
      }
      if (n.spec != null && Boolean.TRUE.equals(n.spec.ingress)) {
        throw new InvalidArgumentException("TaskTemplate.Networks: service cannot be explicitly attached to the "
            + "ingress network \"" + n.spec.name + "\"; publish a port instead");
      }
      if (seen.contains(n.id)) {
        throw new InvalidArgumentException("TaskTemplate.Networks: network " + a.target + " is given twice");
      }
      seen.add(n.id);
      a.target = n.id; // stored by id, as Docker does, so that the reference survives nothing but the network
    }
  }

  private static void ports(ReadTx tx, ServiceSpec spec, String selfId) {
    for (PortConfig p : ingressPorts(spec)) {
      for (Service other : tx.services().all()) {
        if (other.id.equals(selfId)) {
          continue;
        }
        List<PortConfig> taken = ingressPorts(other.spec);
        if (other.endpoint != null && other.endpoint.ports != null) { // ports the allocator picked (-p 80)
          ServiceSpec allocated = new ServiceSpec();
          allocated.endpointSpec = new io.jswarm.api.types.EndpointSpec();
          allocated.endpointSpec.ports = other.endpoint.ports;
          taken.addAll(ingressPorts(allocated));
        }
        for (PortConfig q : taken) {
          if (q.publishedPort.equals(p.publishedPort) && protocol(q).equals(protocol(p))) {
            throw new InvalidArgumentException("port '" + p.publishedPort + "' is already in use by service '"
                + other.spec.name + "' (" + other.id + ") as an ingress port");
          }
        }
      }
    }
  }

  private static List<PortConfig> ingressPorts(ServiceSpec spec) {
    List<PortConfig> out = new ArrayList<>();
    if (spec == null || spec.endpointSpec == null || spec.endpointSpec.ports == null) {
      return out;
    }
    for (PortConfig p : spec.endpointSpec.ports) {
      boolean ingress = p.publishMode == null || p.publishMode.isEmpty() || p.publishMode.equals("ingress");
      if (ingress && p.publishedPort != null && p.publishedPort > 0) {
        out.add(p);
      }
    }
    return out;
  }

  private static String protocol(PortConfig p) {
    return p.protocol == null || p.protocol.isEmpty() ? "tcp" : p.protocol;
  }
}
