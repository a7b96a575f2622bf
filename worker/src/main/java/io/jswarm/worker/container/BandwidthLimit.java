package io.jswarm.worker.container;

import io.jswarm.api.types.Task;
import io.jswarm.linux.netlink.Link;
import io.jswarm.linux.netlink.Rtnetlink;
import io.jswarm.linux.netlink.TrafficControl;
import java.nio.file.Path;

/**
 * {@code Resources.Limits.Bandwidth} (jswarm extension, {@code --limit-bandwidth}): every network interface of the
 * task's namespace (its veths: the local bridge, overlays; not loopback) sends and receives at most that many bits
 * per second, set with {@link TrafficControl} before the container starts. Everything lives in the task's network
 * namespace and goes with it.
 */
final class BandwidthLimit {
  private BandwidthLimit() {}

  /** The task's limit in bits per second, 0 for none. */
  static long of(Task task) {
    var r = task.spec == null ? null : task.spec.resources;
    Long b = r == null || r.limits == null ? null : r.limits.bandwidth;
    return b == null ? 0 : b;
  }

  /** Limits every interface of {@code netns} but loopback and IFBs to {@code bitsPerSecond}; 0 does nothing. */
  static void apply(Path netns, long bitsPerSecond) {
    if (bitsPerSecond <= 0 || netns == null) {
      return;
    }
    try (Rtnetlink nl = Rtnetlink.openIn(netns)) {
      TrafficControl tc = new TrafficControl(nl);
      for (Link l : nl.links()) {
        if (l.kind() != null && !"ifb".equals(l.kind()) && !l.name().equals("lo")) {
          tc.limit(l.name(), bitsPerSecond);
        }
      }
    }
  }
}
