package io.jswarm.consensus.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * Gives the threads of a Raft member the highest Java priority, so that with {@code -XX:ThreadPriorityPolicy=1} (the
 * daemon runs with it when started as root, see bin/jswarm) Linux runs them before the manager's other work.
 *
 * <p>Why (docs/scale.md, <i>Leader failover, eighth round</i>): on a loaded 2-core machine a new leader needed
 * 0.6-2 s from winning its election to its first heartbeat and its first committed entry, while its dispatcher
 * started, hundreds of agents moved their sessions to it with a TLS handshake each, and the other processes ran:
 * long enough for the other member to time out again, and once for the new leader to step down (lost majority
 * heartbeats). Without the flag the JVM ignores priorities and this changes nothing.
 *
 * <p>Which threads: Ratis names a member's own threads after its id ({@code ID@group-...-FollowerState},
 * {@code ...-LeaderStateImpl}, {@code ...-GrpcLogAppender}, {@code ...-StateMachineUpdater}, {@code ID-impl-thread}
 * ...); its gRPC transport's are {@code grpc-*} (only Ratis uses the shaded gRPC in a manager); the Raft port's own
 * loops are {@code raft-*} ({@link RaftListenerLimits}). Threads inherit their creator's priority, so a member's
 * later threads (a new leader's log appenders, made by its election thread) are born raised; Netty's thread
 * factories set their own priority, so {@link #raise} runs again every minimum election timeout.
 */
final class RaftThreads {
  static final int PRIORITY = Thread.MAX_PRIORITY;

  private RaftThreads() { }

  /** Whether {@code name} is a thread of the member {@code memberId} or of the Raft transport. */
  static boolean isRaftThread(String name, String memberId) {
    return name.startsWith("grpc-") || name.startsWith("raft-") || name.contains(memberId);
  }

  /** Raises every live thread of member {@code memberId} and of the Raft transport; returns how many it changed. */
  static int raise(String memberId) {
    int changed = 0;
    for (Thread t : liveThreads()) {
      if (t.getPriority() < PRIORITY && isRaftThread(t.getName(), memberId)) {
        try {
          t.setPriority(PRIORITY);
          changed++;
        } catch (SecurityException | IllegalArgumentException e) {
          // a thread group capped below the maximum: leave it
        }
      }
    }
    return changed;
  }

  static List<Thread> liveThreads() {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] all = new Thread[root.activeCount() * 2 + 16];
    int n = root.enumerate(all, true);
    List<Thread> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(all[i]);
    }
    return out;
  }
}
