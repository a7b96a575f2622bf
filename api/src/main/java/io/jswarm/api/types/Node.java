package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A node of the cluster (Docker Engine API {@code Node}). {@link Spec} is what users set ({@code docker node
 * update}); {@link Description} is what the node's agent reports about itself; {@link Status} and
 * {@link ManagerStatus} are kept by the managers.
 */
public class Node extends StoreObject {
  public Spec spec;
  public Description description;
  public Status status;
  public ManagerStatus managerStatus;
  /**
   * The node's own addresses on networks (swarmkit's {@code Node.Attachments}): the allocator gives every node one
   * address on the {@code ingress} network, where the node's routing-mesh sandbox sits.
   */
  public List<NetworkAttachment> attachments;

  @Override
  public String uniqueName() {
    return null; // hostnames need not be unique
  }

  /**
   * A new node object with the same field values (the nested objects shared, not copied): for answers that only
   * replace a top-level field of a stored row (the {@code ManagerStatus} that {@code node ls} fills in) and
   * serialize it, without a deep copy of every row. NodeTest checks that every field is carried.
   */
  public Node shallowCopy() {
    Node n = new Node();
    n.id = id;
    n.version = version;
    n.createdAt = createdAt;
    n.updatedAt = updatedAt;
    n.spec = spec;
    n.description = description;
    n.status = status;
    n.managerStatus = managerStatus;
    n.attachments = attachments;
    return n;
  }

  /** User-modifiable node settings (Docker {@code NodeSpec}). Role: worker|manager; Availability: active|pause|drain. */
  public static class Spec {
    public String name;
    public Map<String, String> labels;
    public String role;
    public String availability;
  }

  /** What the node reports about itself (Docker {@code NodeDescription}). */
  public static class Description {
    public String hostname;
    public Platform platform;
    public Resources resources;
    public EngineDescription engine;
    @JsonProperty("TLSInfo")
    public TLSInfo tlsInfo;
  }

  /** The daemon running on the node (Docker {@code EngineDescription}). */
  public static class EngineDescription {
    public String engineVersion;
    public Map<String, String> labels;
    public List<PluginDescription> plugins;
    /**
     * jswarm extension: features of the spec this node cannot honour, each with the reason (e.g.
     * {@code BlkioWeight -> "this kernel has no blkio weight file ..."}). Absent when the node honours them all.
     * Such a setting is discarded on this node (the task runs without it, as Docker does) and a service
     * create/update that asks for it answers a warning naming the node.
     */
    public Map<String, String> missingFeatures;
    /**
     * jswarm extension: the engine's security options as {@code docker info} lists them
     * ({@code name=seccomp,profile=builtin}, {@code name=userns} with {@code --userns-remap}, ...).
     */
    public List<String> securityOptions;
  }

  /** The name in {@link EngineDescription#missingFeatures} of {@code Resources.Limits.BlkioWeight}. */
  public static final String FEATURE_BLKIO_WEIGHT = "BlkioWeight";

  /** A plugin the engine offers, e.g. {@code Type "Network", Name "overlay"} (Docker {@code PluginDescription}). */
  public static class PluginDescription {
    public String type;
    public String name;
  }

  /** The node as seen by the managers (Docker {@code NodeStatus}). State: unknown|down|ready|disconnected. */
  public static class Status {
    public String state;
    public String message;
    public String addr;
    /**
     * jswarm extension: where the node's cluster port is reached ({@code ip:port}); managers fetch task logs there.
     * Docker clients ignore it.
     */
    public String clusterAddr;
  }

  /**
   * Raft membership of a manager node (Docker {@code ManagerStatus}); absent on workers. Reachability:
   * unknown|unreachable|reachable; Addr is the manager's host:port.
   */
  public static class ManagerStatus {
    public Boolean leader;
    public String reachability;
    public String addr;
  }
}
