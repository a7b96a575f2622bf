package io.jswarm.api.dispatcher;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.jswarm.api.types.Config;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of a dispatcher session stream. {@link #type} says which fields are set:
 * <ul>
 *   <li>{@value #SESSION}: {@code SessionID}, {@code HeartbeatPeriod} (ns), {@code Managers}, {@code Node},
 *       {@code DataPathPort} (the swarm's VXLAN UDP port) — first message of a session; sent again when the manager
 *       list changes.</li>
 *   <li>{@value #ASSIGNMENTS}: {@code Full} with the complete set in {@code Tasks} (the first one of a session),
 *       or an increment: {@code Tasks} created or changed, {@code Removed} task ids no longer assigned.</li>
 *   <li>{@value #NODE}: {@code Node}, the node's own object after its spec changed (role, availability).</li>
 *   <li>{@value #ENDPOINTS}: {@code Networks}, the remote endpoints of the overlay networks the node has tasks on
 *       ({@link NetworkEndpoints}); {@code Full} (the first one of a session, right after the full assignments)
 *       means networks not listed have no remote endpoint for the node; otherwise each listed network changed.</li>
 *   <li>{@value #SERVICES}: {@code ServiceNetworks}, the services and running tasks of the overlay networks the node
 *       gets records for ({@link NetworkServices}; the networks it has a task on, and the ingress network for every
 *       node with an ingress address, with that address: the routing mesh reads it); {@code Full} (the first one of a
 *       session, after the endpoints) means networks not listed are dropped; otherwise each listed network
 *       changed.</li>
 *   <li>{@value #DEPENDENCIES}: the secrets and configs the node's tasks reference ({@code Secrets} with their
 *       data, {@code Configs}), sent before the assignments that need them. {@code Full} (the first one of a session,
 *       before the full assignments): the lists are all the node may hold; otherwise {@code Secrets}/{@code Configs}
 *       are added and {@code RemovedSecrets}/{@code RemovedConfigs} (ids) withdrawn: no task assigned to the node that
 *       has not ended references them any more. A node gets only what its own tasks reference.</li>
 *   <li>{@value #REDIRECT}: {@code LeaderAddr}, the leader's cluster address; the only message a follower
 *       manager sends before ending the stream.</li>
 * </ul>
 */
public class DispatcherMessage {
  public static final String SESSION = "session";
  public static final String ASSIGNMENTS = "assignments";
  public static final String REDIRECT = "redirect";
  public static final String NODE = "node";
  public static final String ENDPOINTS = "endpoints";
  public static final String SERVICES = "services";
  public static final String DEPENDENCIES = "dependencies";

  public String type;
  @JsonProperty("SessionID")
  public String sessionId;
  public Long heartbeatPeriod;
  public List<Manager> managers;
  public Node node;
  public Boolean full;
  public List<Task> tasks;
  public List<String> removed;
  public String leaderAddr;
  public Long dataPathPort;
  public List<NetworkEndpoints> networks;
  public List<NetworkServices> serviceNetworks;
  public List<Secret> secrets;
  public List<Config> configs;
  public List<String> removedSecrets;
  public List<String> removedConfigs;

  /** A manager's node id and cluster address ({@code host:port}). */
  public static class Manager {
    @JsonProperty("NodeID")
    public String nodeId;
    public String addr;

    public Manager() {}

    public Manager(String nodeId, String addr) {
      this.nodeId = nodeId;
      this.addr = addr;
    }
  }

  public static DispatcherMessage session(String sessionId, long heartbeatPeriod, List<Manager> managers, Node node) {
    DispatcherMessage m = new DispatcherMessage();
    m.type = SESSION;
    m.sessionId = sessionId;
    m.heartbeatPeriod = heartbeatPeriod;
    m.managers = new ArrayList<>(managers);
    m.node = node;
    return m;
  }

  public static DispatcherMessage fullAssignments(List<Task> tasks) {
    DispatcherMessage m = new DispatcherMessage();
    m.type = ASSIGNMENTS;
    m.full = true;
    m.tasks = new ArrayList<>(tasks);
    m.removed = new ArrayList<>();
    return m;
  }

  public static DispatcherMessage incrementalAssignments(List<Task> upserts, List<String> removed) {
    DispatcherMessage m = new DispatcherMessage();
    m.type = ASSIGNMENTS;
    m.full = false;
    m.tasks = new ArrayList<>(upserts);
    m.removed = new ArrayList<>(removed);
    return m;
  }

  public static DispatcherMessage session(String sessionId, long heartbeatPeriod, List<Manager> managers, Node node,
      long dataPathPort) {
    DispatcherMessage m = session(sessionId, heartbeatPeriod, managers, node);
    m.dataPathPort = dataPathPort;
    return m;
  }

  public static DispatcherMessage endpoints(boolean full, List<NetworkEndpoints> networks) {
    DispatcherMessage m = new DispatcherMessage();
    m.type = ENDPOINTS;
    m.full = full;
    m.networks = new ArrayList<>(networks);
    return m;
  }

  public static DispatcherMessage services(boolean full, List<NetworkServices> networks) {
    DispatcherMessage m = new DispatcherMessage();
    m.type = SERVICES;
    m.full = full;
    m.serviceNetworks = new ArrayList<>(networks);
    return m;
  }

  /** A {@link #DEPENDENCIES} message: the node's whole set ({@code full}) or what is added and withdrawn. */
  public static DispatcherMessage dependencies(boolean full, List<Secret> secrets, List<Config> configs,
      List<String> removedSecrets, List<String> removedConfigs) {
    DispatcherMessage m = new DispatcherMessage();
    m.type = DEPENDENCIES;
    m.full = full;
    m.secrets = new ArrayList<>(secrets);
    m.configs = new ArrayList<>(configs);
    m.removedSecrets = new ArrayList<>(removedSecrets);
    m.removedConfigs = new ArrayList<>(removedConfigs);
    return m;
  }

  public static DispatcherMessage node(Node node) {
    DispatcherMessage m = new DispatcherMessage();
    m.type = NODE;
    m.node = node;
    return m;
  }

  public static DispatcherMessage redirect(String leaderAddr) {
    DispatcherMessage m = new DispatcherMessage();
    m.type = REDIRECT;
    m.leaderAddr = leaderAddr;
    return m;
  }

  /** True for a full assignment set. */
  public boolean isFull() {
    return Boolean.TRUE.equals(full);
  }
}
