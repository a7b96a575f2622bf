package io.jswarm.consensus.raft;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

/**
 * The Ratis clients a member forwards requests to the leader with. Ratis' Netty transport serves one request at a
 * time per connection, so forwarding spreads over several clients (one connection each), round robin; one more
 * client is kept for the read barrier's empty entries alone, so that they never queue behind a write that is still
 * retrying towards a dead leader.
 *
 * <p>The clients are made for the leader this member knows: they start there instead of at a guess (the first peer,
 * or the dead leader they last knew). After a leader change a Ratis client keeps sending to the leader it knew until
 * a request there fails and a follower names the new one; a member that has heard from the new leader already knows
 * better, so its clients are replaced (requests in flight finish on the old ones, closed after the write timeout).
 */
final class Forwarders implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Forwarders.class);
  /** Clients for writes and read indexes; index {@code SHARED} is the read barrier's. */
  private static final int SHARED = 8;

  private final Supplier<RaftPeerId> knownLeader;
  private final Supplier<RaftGroup> group;
  private final RaftProperties properties;
  private final Parameters parameters;
  private final Duration writeTimeout;
  private final TimeDuration retrySleep;
  private final RaftClient[] clients = new RaftClient[SHARED + 1];
  private final AtomicLong next = new AtomicLong();
  /** The leader the clients were made for. */
  private RaftPeerId madeFor;
  /** Clients replaced after a leader change, closed once their requests in flight are over. */
  private final List<RaftClient> retired = new ArrayList<>();

  /**
   * @param knownLeader the leader this member knows, null when it leads itself or none is known
   * @param group the group as this member knows it now
   */
  Forwarders(Supplier<RaftPeerId> knownLeader, Supplier<RaftGroup> group, RaftProperties properties,
      Parameters parameters, Duration writeTimeout, TimeDuration retrySleep) {
    this.knownLeader = knownLeader;
    this.group = group;
    this.properties = properties;
    this.parameters = parameters;
    this.writeTimeout = writeTimeout;
    this.retrySleep = retrySleep;
  }

  /** The next shared client, for a write or a read index. */
  RaftClient next() {
    return client((int) (next.getAndIncrement() % SHARED));
  }

  /** The first shared client, for admin calls. */
  RaftClient admin() {
    return client(0);
  }

  /** The read barrier's own client. */
  RaftClient barrier() {
    return client(SHARED);
  }

  private synchronized RaftClient client(int i) {
    RaftPeerId leader = knownLeader.get();
    if (leader != null && !leader.equals(madeFor)) {
      if (madeFor != null) {
        LOG.info("Raft leader is now {} (was {}): forwarding there", leader, madeFor);
      }
      retire();
      madeFor = leader;
    }
    if (clients[i] == null) {
      int attempts = (int) Math.max(3, writeTimeout.toMillis() / retrySleep.toLong(TimeUnit.MILLISECONDS));
      RaftClient.Builder b = RaftClient.newBuilder()
          .setClientId(ClientId.randomId())
          .setRaftGroup(group.get())
          .setProperties(properties)
          .setParameters(parameters)
          .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts, retrySleep));
      if (madeFor != null) {
        b.setLeaderId(madeFor);
      }
      clients[i] = b.build();
    }
    return clients[i];
  }

  /** Moves the clients aside; each is closed once its requests in flight are over (write timeout). */
  private void retire() {
    List<RaftClient> old = takeAll();
    if (old.isEmpty()) {
      return;
    }
    retired.addAll(old);
    Executor later = CompletableFuture.delayedExecutor(writeTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    later.execute(() -> {
      synchronized (this) {
        retired.removeAll(old);
      }
      closeQuietly(old);
    });
  }

  private List<RaftClient> takeAll() {
    List<RaftClient> out = new ArrayList<>();
    for (int i = 0; i < clients.length; i++) {
      if (clients[i] != null) {
        out.add(clients[i]);
        clients[i] = null;
      }
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    List<RaftClient> open;
    synchronized (this) {
      open = takeAll();
      open.addAll(retired);
      retired.clear();
    }
    for (RaftClient c : open) {
      c.close();
    }
  }

  private static void closeQuietly(List<RaftClient> clients) {
    for (RaftClient c : clients) {
      try {
        c.close();
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing a forwarding client: {}", e.toString());
      }
    }
  }
}
