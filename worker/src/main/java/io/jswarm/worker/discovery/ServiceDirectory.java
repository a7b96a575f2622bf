package io.jswarm.worker.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The services this node knows per network, as the manager pushes them: the source the embedded DNS
 * ({@link EmbeddedDns}) and the VIP balancer ({@link VipBalancer}) read. Thread-safe: {@link #update} replaces a
 * network's whole view at once (readers see the old or the new view, never a mix) and then tells every
 * {@link Listener}.
 *
 * <p>Lookups are by exact name, case-insensitive (DNS names are), on one network at a time; the caller decides
 * which networks a container may see.
 */
public final class ServiceDirectory {
  /** Told after a network's view changed (or was removed), on the thread that called {@link #update}/{@link #remove}. */
  @FunctionalInterface
  public interface Listener {
    void changed(String networkId);
  }

  /**
   * Told before a network's view changes, on the updating thread, with the view about to replace it ({@code null}:
   * the network is being removed); lookups still see the old view meanwhile. The VIP rules are rewritten here, so
   * that a name that resolves to a new task is already balanced to it, and a task the DNS no longer lists already
   * gets no new connection.
   */
  @FunctionalInterface
  public interface ChangeListener {
    void changing(String networkId, NetworkView next);
  }

  /** One network's view: its name and its services, indexed for lookups. */
  public record NetworkView(String networkId, String networkName, List<ServiceRecord> services) {
    /** The service called {@code name} (or with {@code name} as an alias) on this network. */
    public Optional<ServiceRecord> service(String name) {
      for (ServiceRecord s : services) {
        if (s.name().equalsIgnoreCase(name)) {
          return Optional.of(s);
        }
      }
      for (ServiceRecord s : services) {
        for (String a : s.aliases()) {
          if (a.equalsIgnoreCase(name)) {
            return Optional.of(s);
          }
        }
      }
      return Optional.empty();
    }

    /** The task called {@code name} ({@code <service>.<slot>.<task id>}) on this network. */
    public Optional<ServiceRecord.TaskEndpoint> task(String name) {
      for (ServiceRecord s : services) {
        for (ServiceRecord.TaskEndpoint t : s.tasks()) {
          if (t.name().equalsIgnoreCase(name)) {
            return Optional.of(t);
          }
        }
      }
      return Optional.empty();
    }
  }

  private final Map<String, NetworkView> networks = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final List<ChangeListener> changeListeners = new CopyOnWriteArrayList<>();

  /**
   * Replaces what this node knows about the services on network {@code networkId} (named {@code networkName},
   * the name answered in {@code SERVICE.NETWORK}) and tells the listeners.
   */
  public void update(String networkId, String networkName, List<ServiceRecord> services) {
    Objects.requireNonNull(networkId, "networkId");
    Objects.requireNonNull(networkName, "networkName");
    NetworkView next = new NetworkView(networkId, networkName, List.copyOf(services));
    for (ChangeListener l : changeListeners) {
      l.changing(networkId, next);
    }
    networks.put(networkId, next);
    fire(networkId);
  }

  /** Forgets network {@code networkId} (no task of this node is on it any more). */
  public void remove(String networkId) {
    if (!networks.containsKey(networkId)) {
      return;
    }
    for (ChangeListener l : changeListeners) {
      l.changing(networkId, null);
    }
    if (networks.remove(networkId) != null) {
      fire(networkId);
    }
  }

  /** The current view of {@code networkId}, if the manager pushed one. */
  public Optional<NetworkView> network(String networkId) {
    return Optional.ofNullable(networks.get(networkId));
  }

  /** The views of {@code networkIds} that are known, in the given order. */
  public List<NetworkView> networks(List<String> networkIds) {
    List<NetworkView> out = new ArrayList<>();
    for (String id : networkIds) {
      NetworkView v = networks.get(id);
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  /**
   * The views of {@code networkIds} as they will be once network {@code changing} is {@code next} ({@code null}:
   * removed), in the given order: what a {@link ChangeListener} computes with.
   */
  public List<NetworkView> networks(List<String> networkIds, String changing, NetworkView next) {
    List<NetworkView> out = new ArrayList<>();
    for (String id : networkIds) {
      NetworkView v = id.equals(changing) ? next : networks.get(id);
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  public void addChangeListener(ChangeListener l) {
    changeListeners.add(l);
  }

  public void removeChangeListener(ChangeListener l) {
    changeListeners.remove(l);
  }

  public void addListener(Listener l) {
    listeners.add(l);
  }

  public void removeListener(Listener l) {
    listeners.remove(l);
  }

  private void fire(String networkId) {
    for (Listener l : listeners) {
      l.changed(networkId);
    }
  }
}
