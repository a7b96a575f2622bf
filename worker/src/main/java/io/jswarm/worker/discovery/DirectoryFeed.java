package io.jswarm.worker.discovery;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.NetworkServices;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link ServiceDirectory} in step with the dispatcher's {@link DispatcherMessage#SERVICES} messages:
 * per network the (cut-down) services and running tasks the manager pushed ({@link NetworkServices}), turned into
 * {@link ServiceRecord}s with {@link ServiceRecords#of} after every change of that network. A full message drops the
 * networks it does not list; {@code Left} drops one.
 *
 * <p>{@link #apply} is synchronized and calls {@link ServiceDirectory#update}, whose listeners (the VIP rules of the
 * containers on the network) run before it returns. The raw objects stay readable ({@link #services},
 * {@link #tasks}, {@link #nodeAttachment}: the published ports and the ingress network's view for the routing mesh,
 * {@link IngressRouting}) and {@link #addListener}
 * tells of each network changed.
 */
public final class DirectoryFeed {
  private static final Logger log = LoggerFactory.getLogger(DirectoryFeed.class);

  private final ServiceDirectory directory;
  private final Map<String, Net> nets = new HashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  /** One network as pushed. */
  private static final class Net {
    String name;
    boolean ingress;
    /** This node's own attachment to the network (the ingress network: its routing mesh sandbox). */
    NetworkAttachment nodeAttachment;
    final Map<String, Service> services = new LinkedHashMap<>();
    final Map<String, Task> tasks = new LinkedHashMap<>();
  }

  public DirectoryFeed(ServiceDirectory directory) {
    this.directory = directory;
  }

  /** Takes a dispatcher message; anything but {@code services} is ignored. */
  public void onDispatcherMessage(DispatcherMessage m) {
    if (m != null && DispatcherMessage.SERVICES.equals(m.type)) {
      apply(m.isFull(), m.serviceNetworks == null ? List.of() : m.serviceNetworks);
    }
  }

  /** Applies one {@code services} message. */
  public synchronized void apply(boolean full, List<NetworkServices> networks) {
    List<String> changed = new ArrayList<>();
    Set<String> listed = new java.util.HashSet<>();
    for (NetworkServices ns : networks) {
      if (ns == null || ns.networkId == null) {
        continue;
      }
      listed.add(ns.networkId);
      if (ns.isLeft()) {
        if (nets.remove(ns.networkId) != null) {
          directory.remove(ns.networkId);
          changed.add(ns.networkId);
        }
        continue;
      }
      Net n = nets.get(ns.networkId);
      if (n == null || ns.isFull()) {
        n = new Net();
        nets.put(ns.networkId, n);
      }
      if (ns.networkName != null) {
        n.name = ns.networkName;
      }
      n.ingress = ns.isIngress();
      if (ns.nodeAttachment != null) {
        n.nodeAttachment = ns.nodeAttachment;
      }
      for (Service s : ns.services == null ? List.<Service>of() : ns.services) {
        n.services.put(s.id, s);
      }
      for (Task t : ns.tasks == null ? List.<Task>of() : ns.tasks) {
        n.tasks.put(t.id, t);
      }
      (ns.removedServices == null ? List.<String>of() : ns.removedServices).forEach(n.services::remove);
      (ns.removedTasks == null ? List.<String>of() : ns.removedTasks).forEach(n.tasks::remove);
      publish(ns.networkId, n);
      changed.add(ns.networkId);
    }
    if (full) {
      for (String id : new ArrayList<>(nets.keySet())) {
        if (!listed.contains(id)) {
          nets.remove(id);
          directory.remove(id);
          changed.add(id);
        }
      }
    }
    for (String id : changed) {
      for (Consumer<String> l : listeners) {
        try {
          l.accept(id);
        } catch (RuntimeException e) {
          log.warn("service records listener failed for network {}: {}", id, e.toString());
        }
      }
    }
  }

  private void publish(String networkId, Net n) {
    Map<String, List<Task>> byService = new HashMap<>();
    for (Task t : n.tasks.values()) {
      if (t.serviceId != null) {
        byService.computeIfAbsent(t.serviceId, k -> new ArrayList<>()).add(t);
      }
    }
    List<ServiceRecord> records = new ArrayList<>();
    for (Service s : n.services.values()) {
      try {
        records.add(ServiceRecords.of(networkId, s, byService.getOrDefault(s.id, List.of())));
      } catch (RuntimeException e) {
        log.warn("service {} on network {}: unusable record ({}); left out", s.id, networkId, e.toString());
      }
    }
    directory.update(networkId, n.name == null ? networkId : n.name, records);
  }

  /** Told (after the directory) of each network whose records changed or were dropped. */
  public void addListener(Consumer<String> listener) {
    listeners.add(listener);
  }

  /** The networks this node has records of. */
  public synchronized List<String> networks() {
    return List.copyOf(nets.keySet());
  }

  /** Whether {@code networkId} is the swarm's ingress network (as far as the manager said). */
  public synchronized boolean isIngress(String networkId) {
    Net n = nets.get(networkId);
    return n != null && n.ingress;
  }

  /** This node's own attachment to {@code networkId} as pushed (the ingress network's); null when none. */
  public synchronized NetworkAttachment nodeAttachment(String networkId) {
    Net n = nets.get(networkId);
    return n == null ? null : n.nodeAttachment;
  }

  /** The services of {@code networkId} as pushed (cut down: see {@link NetworkServices}); empty when unknown. */
  public synchronized List<Service> services(String networkId) {
    Net n = nets.get(networkId);
    return n == null ? List.of() : List.copyOf(n.services.values());
  }

  /** The running tasks of {@code networkId} as pushed; empty when unknown. */
  public synchronized List<Task> tasks(String networkId) {
    Net n = nets.get(networkId);
    return n == null ? List.of() : List.copyOf(n.tasks.values());
  }
}
