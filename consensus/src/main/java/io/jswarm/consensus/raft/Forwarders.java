package io.jswarm.consensus.raft;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.client.impl.RaftClientRpcWithProxy;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

/**
 * Takes a member's writes and read indexes to the leader, wherever it is now, and follows leader changes while they
 * are in flight (issue 16, docs/scale.md "Leader failover").
 *
 * <p>Each request gets one Ratis invocation id (this forwarder's client id and a call id) for its whole life; every
 * attempt, to whichever member leads at that moment (this member's own server when it leads, another over the
 * Raft port), carries the same id. A write that an earlier attempt already got committed is therefore not applied
 * again: every member fills its Ratis retry cache as it applies an entry, and a new leader takes requests only
 * once it has applied everything its predecessors committed, so the retry is answered from the cache.
 *
 * <p>Why not a Ratis client's own retries: after a leader was killed, a Ratis client kept an in-flight request
 * bouncing between the dead leader and followers (which, until they time out themselves, name the dead leader) and
 * went to the new leader only when one of its attempts happened to ask a member that knew it: seconds after this
 * member had learned the new leader (seen in the bench's logs, 8 s after the kill). Here, the moment this member
 * learns a new leader ({@link #leaderChanged}) every request in flight is sent there at once; an attempt still out
 * towards the old leader is ignored when it fails.
 *
 * <p>Requests go unordered: independent writes of one manager need no order between them (each is a
 * compare-and-set batch), and so none waits behind another that is still retrying. Application errors (the state
 * machine refused the batch) end a request; everything else (not leader, leader not ready, a refused connection, an
 * attempt timed out) is tried again, after {@code retrySleep} (five times that when no member answered), or at once
 * when a leader is named, until the write timeout.
 */
final class Forwarders implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Forwarders.class);

  /** Retries towards a member that did not answer at all wait this many times the retry sleep. */
  private static final int DEAD_PEER_RETRY_FACTOR = 5;

  private final RaftPeerId me;
  private final RaftGroupId groupId;
  private final BooleanSupplier leading;
  private final Supplier<RaftPeerId> knownLeader;
  private final Supplier<RaftGroup> group;
  private final Function<RaftClientRequest, CompletableFuture<RaftClientReply>> local;
  private final RaftProperties properties;
  private final Parameters parameters;
  private final Duration writeTimeout;
  private final long retrySleepMs;
  /** The invocation ids' client part: one per member life, shared by local and forwarded attempts. */
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final Set<Pending> inFlight = ConcurrentHashMap.newKeySet();
  /** Per member, the last connection replaced after a failure ({@link #reconnect}). */
  private final java.util.Map<RaftPeerId, Object> reconnected = new java.util.HashMap<>();
  /**
   * Retries and leader hand-offs: one thread at the Raft threads' priority ({@code raft-} names are raised by
   * {@link RaftThreads}), ended after a few idle seconds (an idle member has none).
   */
  private final java.util.concurrent.ScheduledThreadPoolExecutor timer =
      new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "raft-forwarder");
        t.setDaemon(true);
        t.setPriority(RaftThreads.PRIORITY);
        return t;
      });
  /** Made on first use; only its transport is used ({@link RaftClient#getClientRpc()}). */
  private RaftClient transport;
  private boolean closed;

  /**
   * @param me this member
   * @param leading whether this member leads now
   * @param knownLeader the leader this member knows, null when it leads itself or none is known
   * @param group the group as this member knows it now (peer addresses)
   * @param local submits a request to this member's own server
   */
  Forwarders(RaftPeerId me, RaftGroupId groupId, BooleanSupplier leading, Supplier<RaftPeerId> knownLeader,
      Supplier<RaftGroup> group, Function<RaftClientRequest, CompletableFuture<RaftClientReply>> local,
      RaftProperties properties, Parameters parameters, Duration writeTimeout, TimeDuration retrySleep) {
    this.me = me;
    this.groupId = groupId;
    this.leading = leading;
    this.knownLeader = knownLeader;
    this.group = group;
    this.local = local;
    this.properties = properties;
    this.parameters = parameters;
    this.writeTimeout = writeTimeout;
    this.retrySleepMs = retrySleep.toLong(TimeUnit.MILLISECONDS);
    timer.setKeepAliveTime(5, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
  }

  /**
   * Sends {@code msg} as a write ({@code read} false) or a read index to the leader. Completes with the leader's
   * successful reply, with a reply carrying an application error, or exceptionally with the last failure once the
   * write timeout has passed.
   */
  CompletableFuture<RaftClientReply> send(Message msg, boolean read) {
    Pending p = new Pending(msg, read, callIds.incrementAndGet(), System.nanoTime() + writeTimeout.toNanos());
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new IOException("Raft member " + me + " is closed"));
      }
      inFlight.add(p);
    }
    p.result.whenComplete((r, t) -> inFlight.remove(p));
    attempt(p);
    return p.result;
  }

  /** This member learned a (new) leader: requests whose attempt went elsewhere go there now. */
  void leaderChanged() {
    RaftPeerId to = target(null);
    if (to == null) {
      return;
    }
    int moved = 0;
    for (Pending p : inFlight) {
      if (!to.equals(p.target())) {
        moved++;
        attempt(p);
      }
    }
    if (moved > 0) {
      LOG.info("Raft leader is now {}: {} request(s) in flight sent there", to, moved);
    }
  }

  /**
   * This member became the ready leader: the requests waiting out a retry sleep (they were answered "leader not
   * ready", or no leader was known) are submitted here at once instead of at the end of their sleep.
   */
  void leaderReady() {
    if (!leading.getAsBoolean()) {
      return;
    }
    int sent = 0;
    for (Pending p : inFlight) {
      if (p.wake()) {
        sent++;
        attempt(p);
      }
    }
    LOG.info("Raft member {} is the ready leader: {} of {} request(s) in flight were waiting to retry: submitted",
        me, sent, inFlight.size());
  }

  /** Requests not answered yet (tests). */
  int inFlight() {
    return inFlight.size();
  }

  /** This member when it leads, else the leader it knows, else a leader another member named, else null. */
  private RaftPeerId target(RaftPeerId hint) {
    if (leading.getAsBoolean()) {
      return me;
    }
    RaftPeerId known = knownLeader.get();
    return known != null ? known : hint;
  }

  private void attempt(Pending p) {
    if (p.result.isDone()) {
      return;
    }
    if (System.nanoTime() - p.deadline > 0) {
      Throwable last = p.lastProblem;
      TimeoutException timeout = new TimeoutException("no leader answered within " + writeTimeout.toMillis() + " ms"
          + (last == null ? "" : "; last: " + last));
      if (last != null) {
        timeout.initCause(last);
      }
      p.result.completeExceptionally(timeout);
      return;
    }
    RaftPeerId to = target(p.hint);
    int gen = p.next(to);
    p.sleeping(false);
    if (LOG.isDebugEnabled()) {
      LOG.debug("call {} ({}) attempt {} to {}", p.callId, p.read ? "read index" : "write", gen, to);
    }
    if (to == null) { // an election is on and nobody named a leader yet: leaderChanged() or the next poll sends it
      retryLater(p, gen, retrySleepMs);
      return;
    }
    RaftClientRequest req = RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(to)
        .setGroupId(groupId)
        .setCallId(p.callId)
        .setMessage(p.msg)
        .setType(p.read ? RaftClientRequest.readRequestType() : RaftClientRequest.writeRequestType())
        .build();
    CompletableFuture<RaftClientReply> answer;
    Object proxy = null;
    try {
      if (to.equals(me)) {
        answer = local.apply(req);
      } else {
        RaftClientRpc rpc = rpc(to);
        proxy = proxyOf(rpc, to);
        answer = rpc.sendRequestAsyncUnordered(req);
      }
    } catch (IOException | RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    Object usedProxy = proxy;
    answer.whenComplete((reply, failure) -> {
      try {
        onAnswer(p, gen, to, usedProxy, reply, failure);
      } catch (RuntimeException e) { // a bug here must fail the request, not leave it unanswered
        LOG.warn("forwarding call {} to {} failed", p.callId, to, e);
        p.result.completeExceptionally(e);
      }
    });
  }

  private void onAnswer(Pending p, int gen, RaftPeerId to, Object proxy, RaftClientReply reply, Throwable failure) {
    Throwable problem = failure != null ? RaftFailures.unwrap(failure) : reply.isSuccess() ? null : reply.getException();
    if (problem == null) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("call {} attempt {} to {}: answered", p.callId, gen, to);
      }
      p.result.complete(reply);
      return;
    }
    if (problem instanceof StateMachineException || problem instanceof GroupMismatchException) {
      if (reply != null) {
        p.result.complete(reply);
      } else {
        p.result.completeExceptionally(problem);
      }
      return;
    }
    p.lastProblem = problem;
    if (LOG.isDebugEnabled()) {
      LOG.debug("call {} attempt {} to {}: {}", p.callId, gen, to, problem.getClass().getSimpleName());
    }
    long sleep = retrySleepMs;
    if (problem instanceof NotLeaderException nle && nle.getSuggestedLeader() != null
        && !nle.getSuggestedLeader().getId().equals(to)) {
      p.hint = nle.getSuggestedLeader().getId();
      sleep = 0;
    } else if (!(problem instanceof RaftException) || problem instanceof AlreadyClosedException) {
      // no member answered (refused, reset; or the connection was closed under the attempt, being replaced after
      // such a failure): most likely a dead leader this member still believes in until its own election timer runs
      // out. Asking it again soon gains nothing, since leaderChanged() sends the request on the moment a new leader
      // is known; each failed try costs a new connection.
      sleep = DEAD_PEER_RETRY_FACTOR * retrySleepMs;
    }
    if (proxy != null && !(problem instanceof TimeoutIOException)) { // a timed-out attempt leaves the stream open
      reconnect(to, proxy, problem);
    }
    if (p.current() != gen) {
      return; // a newer attempt is out (the leader changed meanwhile)
    }
    if (sleep == 0) {
      attempt(p);
    } else {
      retryLater(p, gen, sleep);
    }
  }

  /** Attempts {@code p} again after {@code sleepMs}, unless a newer attempt (a leader change) went out meanwhile. */
  private void retryLater(Pending p, int gen, long sleepMs) {
    p.sleeping(true);
    later(() -> {
      if (p.current() == gen) {
        attempt(p);
      }
    }, sleepMs);
  }

  /**
   * Runs {@code task} after {@code delayMs} on this forwarder's thread (at the Raft threads' priority). Not
   * {@code CompletableFuture.delayedExecutor}: with two cores its tasks run on a new thread each (the common pool has
   * one worker, so CompletableFuture does not use it), and at load 24 a 50 ms retry took 42-373 ms, the hand-off
   * at leader-ready 150 ms (docs/scale.md, <i>Where the first write after a leader kill goes</i>). Once closed, nothing runs.
   */
  private void later(Runnable task, long delayMs) {
    try {
      timer.schedule(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.warn("Raft forwarder task failed", e);
        }
      }, delayMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed: close() failed what was in flight
    }
  }

  /** {@link #leaderChanged} on this forwarder's thread (the caller may be a Ratis thread holding the member's lock). */
  void leaderChangedSoon() {
    later(this::leaderChanged, 0);
  }

  /** {@link #leaderReady} on this forwarder's thread (the caller is Ratis' apply thread). */
  void leaderReadySoon() {
    later(this::leaderReady, 0);
  }

  private synchronized RaftClientRpc rpc(RaftPeerId to) throws IOException {
    if (closed) {
      throw new IOException("Raft member " + me + " is closed");
    }
    RaftGroup g = group.get();
    if (transport == null) {
      transport = RaftClient.newBuilder()
          .setClientId(clientId)
          .setRaftGroup(g)
          .setProperties(properties)
          .setParameters(parameters)
          .setRetryPolicy(RetryPolicies.noRetry())
          .build();
    }
    RaftClientRpc rpc = transport.getClientRpc();
    if (g.getPeer(to) != null) {
      rpc.addRaftPeers(g.getPeers()); // members added since (known ones are kept as they are)
    }
    return rpc;
  }

  private synchronized RaftClientRpc transportOrNull() {
    return transport == null ? null : transport.getClientRpc();
  }

  /** The connection {@code rpc} has to {@code to} now, to tell later whether a failure came from that one. */
  private static Object proxyOf(RaftClientRpc rpc, RaftPeerId to) {
    if (rpc instanceof RaftClientRpcWithProxy<?> withProxies) {
      try {
        return withProxies.getProxies().getProxy(to);
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
    return null;
  }

  /**
   * Replaces the connection to {@code to} after a failure on it, once per connection. Ratis' gRPC client ends the
   * whole request stream of a connection at the first not-leader or leader-not-ready answer or error (every later
   * request on it fails at once as closed), so the next attempt needs a new one; the old one is closed on a thread of
   * its own, since closing waits for the channel to terminate (up to 5 s).
   */
  private void reconnect(RaftPeerId to, Object failedProxy, Throwable problem) {
    synchronized (reconnected) {
      if (reconnected.get(to) == failedProxy) {
        return; // already replaced (several requests failed on it together)
      }
      reconnected.put(to, failedProxy);
    }
    RaftClientRpc rpc = transportOrNull();
    if (rpc == null) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        rpc.handleException(to, problem, true);
      } catch (RuntimeException e) {
        LOG.debug("replacing the connection to {}: {}", to, e.toString());
      }
    }, "raft-forwarder-reconnect-" + to);
    t.setDaemon(true);
    t.start();
  }

  /**
   * A Ratis client for an admin call (configuration changes), made for the leader this member knows; the caller
   * closes it.
   */
  RaftClient admin() {
    RaftClient.Builder b = RaftClient.newBuilder()
        .setClientId(ClientId.randomId())
        .setRaftGroup(group.get())
        .setProperties(properties)
        .setParameters(parameters)
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            (int) Math.max(3, writeTimeout.toMillis() / Math.max(1, retrySleepMs)),
            TimeDuration.valueOf(retrySleepMs, TimeUnit.MILLISECONDS)));
    RaftPeerId leader = target(null);
    if (leader != null) {
      b.setLeaderId(leader);
    }
    return b.build();
  }

  @Override
  public void close() throws IOException {
    timer.shutdownNow();
    RaftClient t;
    synchronized (this) {
      closed = true;
      t = transport;
      transport = null;
    }
    IOException closing = new IOException("Raft member " + me + " is closing");
    for (Pending p : inFlight) {
      p.result.completeExceptionally(closing);
    }
    if (t != null) {
      t.close();
    }
  }

  /** One request and its attempts. */
  private static final class Pending {
    final Message msg;
    final boolean read;
    final long callId;
    final long deadline;
    final CompletableFuture<RaftClientReply> result = new CompletableFuture<>();
    volatile Throwable lastProblem;
    /** A leader another member named (used while this member knows none). */
    volatile RaftPeerId hint;
    private int gen;
    private RaftPeerId target;
    /** Between a failed attempt and its retry ({@link #retryLater}). */
    private boolean sleeping;

    Pending(Message msg, boolean read, long callId, long deadline) {
      this.msg = msg;
      this.read = read;
      this.callId = callId;
      this.deadline = deadline;
    }

    /** Starts an attempt towards {@code to}; returns its number. */
    synchronized int next(RaftPeerId to) {
      target = to;
      return ++gen;
    }

    synchronized int current() {
      return gen;
    }

    synchronized void sleeping(boolean s) {
      sleeping = s;
    }

    /** Ends a retry sleep: true if the request was sleeping (its delayed retry then finds a newer attempt out). */
    synchronized boolean wake() {
      boolean was = sleeping;
      sleeping = false;
      return was;
    }

    synchronized RaftPeerId target() {
      return target;
    }
  }
}
