package io.jswarm.worker.agent;

import java.time.Duration;
import java.util.List;

/**
 * Where an agent's next session attempt goes, and after how long (the session thread's alone).
 *
 * <ul>
 *   <li>A redirect (a working manager naming the leader) is followed at once, at most
 *       {@link #MAX_REDIRECTS_IN_A_ROW} times between two delays: two followers could point at each other, or at a
 *       leader that is gone.</li>
 *   <li>After an open session ended, the attempt goes to one of the other known managers drawn at random: that
 *       session most likely lost the leader, and either a survivor is the new leader or it redirects there. Every
 *       agent used to take the manager after the lost one in the same list, so all of them went to the same
 *       survivor: when that was a follower, every node paid a second handshake for its redirect (1,000 nodes,
 *       docs/scale.md); drawn, about half of them reach the new leader first (with three managers).</li>
 *   <li>Otherwise the attempt goes to the known manager after the one that failed ({@link #nextAfter}): a
 *       failed attempt may have hit a dead manager, and another one redirects to the leader. When the
 *       one that failed was a leader a redirect named and no session opened there, the manager after the one that
 *       redirected: a follower that still names a dead leader is not asked again at once.</li>
 *   <li>After a manager that refused the connection (nothing listens there: a killed leader), the next one is tried
 *       at once: refusing cost that manager nothing, and waiting out a backoff on it only kept the node from the new
 *       leader (at 1,000 nodes every agent did so once per turn through the list). Once every known manager refused
 *       in a row, the usual delay.</li>
 *   <li>Else after a random delay ({@link ReconnectBackoff}: its window after an open session ended, doubling with
 *       each failed attempt), since every agent of the cluster may be doing the same now.</li>
 * </ul>
 */
final class ManagerRotation {
  /** Redirects followed without a delay before backing off; counted since the last delay. */
  static final int MAX_REDIRECTS_IN_A_ROW = 3;

  /** The next attempt: where, and how long to wait first. */
  record Next(String addr, Duration delay) {}

  private int index;
  private int redirects;
  private int refusals;
  private int failedInARow;
  /** The manager whose redirect named the address being tried, or null. */
  private String redirectedFrom;

  /** The first attempt's manager. */
  String first(List<String> known) {
    return known.get(Math.floorMod(index, known.size()));
  }

  /**
   * The attempt after one with {@code addr}.
   *
   * @param known the managers known now (the list may have changed during the attempt)
   * @param established whether a session was open with {@code addr} (and has ended since)
   * @param redirect the leader {@code addr} named, or null
   * @param refused whether {@code addr} refused the connection
   */
  Next after(List<String> known, String addr, boolean established, String redirect, boolean refused,
      ReconnectBackoff backoff) {
    if (established) {
      redirects = 0;
      refusals = 0;
      failedInARow = 0;
    }
    // A leader a manager named that failed before any session: the manager after that one, not after the leader
    // (a follower that still names a dead leader would otherwise be asked again and again)
    String from = !established && redirect == null && redirectedFrom != null ? redirectedFrom : addr;
    redirectedFrom = null;
    if (redirect != null && !redirect.isBlank() && ++redirects <= MAX_REDIRECTS_IN_A_ROW) {
      redirectedFrom = addr;
      return new Next(redirect, Duration.ZERO);
    }
    index = established && known.size() > 1 ? drawnAfter(known, from, index, backoff) : nextAfter(known, from, index);
    String next = known.get(index);
    if (refused && ++refusals < known.size()) {
      return new Next(next, Duration.ZERO);
    }
    redirects = 0;
    refusals = 0;
    return new Next(next, backoff.delay(established ? 0 : ++failedInARow));
  }

  /**
   * Where the attempt after a failed or ended session with {@code failed} goes: the known manager after it in
   * {@code known}, never {@code failed} itself while another is known. {@code failed} is not always {@code
   * known[index]}: it may be the leader a redirect named, or the list may have been replaced by a session message
   * since; stepping the index alone then could go back to the manager that had just failed (a dead leader: the
   * agent waited out its backoff on it instead of asking a manager that could name the new leader).
   *
   * @return the index in {@code known} of the next manager to try
   */
  static int nextAfter(List<String> known, String failed, int index) {
    int at = known.indexOf(failed);
    return Math.floorMod(at >= 0 ? at + 1 : index + 1, known.size());
  }

  /**
   * One of the known managers other than {@code ended} (when it is known; else any), drawn: the {@code k}-th after
   * it in {@code known}, {@code k - 1} drawn by {@link ReconnectBackoff#pick}.
   *
   * @return the index in {@code known} of the next manager to try
   */
  private static int drawnAfter(List<String> known, String ended, int index, ReconnectBackoff backoff) {
    int at = known.indexOf(ended);
    int k = backoff.pick(at >= 0 ? known.size() - 1 : known.size());
    return Math.floorMod((at >= 0 ? at : index) + 1 + k, known.size());
  }

  /** Whether {@code e} says that nothing listens at the manager's address (the connection was refused). */
  static boolean isRefused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }
}
