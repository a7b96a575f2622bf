package io.jswarm.worker.discovery;

import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.worker.network.IngressPort;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the node's routing mesh from the service records: a {@link DirectoryFeed} listener that, each time the
 * ingress network's records change, gives the mesh the node's own ingress attachment and the published ports with
 * their backends ({@link IngressBackends}); when the node stops getting that network (it lost its ingress address,
 * or a new session's full view does not list it) the mesh is given nothing and goes. Runs on the feed's thread, after
 * the directory took the change.
 */
public final class IngressRouting implements Consumer<String> {
  private static final Logger LOG = LoggerFactory.getLogger(IngressRouting.class);

  /** What is routed: {@code RoutingMesh.update} (a null attachment and no ports remove the mesh). */
  @FunctionalInterface
  public interface Mesh {
    void update(NetworkAttachment nodeAttachment, List<IngressPort> ports) throws Exception;
  }

  private final DirectoryFeed feed;
  private final Mesh mesh;
  /** The network the mesh was last given (the ingress network), or null. */
  private String routed;

  public IngressRouting(DirectoryFeed feed, Mesh mesh) {
    this.feed = feed;
    this.mesh = mesh;
  }

  /** Registers a router on {@code feed}. */
  public static IngressRouting attach(DirectoryFeed feed, Mesh mesh) {
    IngressRouting r = new IngressRouting(feed, mesh);
    feed.addListener(r);
    return r;
  }

  @Override
  public synchronized void accept(String networkId) {
    boolean ingress = feed.isIngress(networkId);
    if (!ingress && !networkId.equals(routed)) {
      return; // another network's records
    }
    try {
      if (ingress) {
        routed = networkId;
        mesh.update(feed.nodeAttachment(networkId),
            IngressBackends.of(networkId, feed.services(networkId), feed.tasks(networkId)));
      } else {
        routed = null;
        mesh.update(null, List.of());
      }
    } catch (Exception e) {
      LOG.warn("cannot apply the ingress routing mesh: {}", e.toString());
    }
  }
}
