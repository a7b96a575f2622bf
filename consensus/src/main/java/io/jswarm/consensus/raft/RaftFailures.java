package io.jswarm.consensus.raft;

import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.errors.NotLeaderException;
import io.jswarm.api.errors.UnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.exceptions.StateMachineException;

/** How a Ratis failure reaches users and callers: the typed error they act on, with what to do. */
final class RaftFailures {
  private RaftFailures() {}

  /**
   * The typed error for {@code t}, a failure of {@code what} ("the write", "the read") on a member whose writes time
   * out after {@code writeTimeout}, which knows {@code leader} (or null) in a group of {@code managers}.
   */
  static JswarmException map(Throwable t, String what, Duration writeTimeout, String leader, int managers) {
    Throwable cause = unwrap(t);
    if (cause instanceof JswarmException j) {
      return j;
    }
    var notLeader = findCause(cause, org.apache.ratis.protocol.exceptions.NotLeaderException.class);
    if (notLeader != null && notLeader.getSuggestedLeader() != null) {
      return new NotLeaderException(notLeader.getSuggestedLeader().getId() + " at "
          + notLeader.getSuggestedLeader().getAddress());
    }
    if (cause instanceof StateMachineException) {
      return new UnavailableException(what + " failed on the leader's store: " + cause.getMessage(), cause);
    }
    return new UnavailableException("no quorum: " + what + " was not committed within "
        + writeTimeout.toMillis() + " ms (leader " + (leader == null ? "unknown" : leader) + ", managers "
        + managers + "). A majority of managers must be reachable; if this persists check "
        + "them with 'jswarm raft status'."
        + (what.contains("the read") ? "" : " A timed-out write may still be applied once quorum returns.")
        + (cause instanceof TimeoutException ? "" : " Cause: " + cause), cause);
  }

  /** The cause inside completion and execution wrappers. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The first throwable of {@code type} in {@code t}'s cause chain, or null. */
  static <E extends Throwable> E findCause(Throwable t, Class<E> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }
}
