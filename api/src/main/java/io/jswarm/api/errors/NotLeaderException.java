package io.jswarm.api.errors;

/** This manager is not the Raft leader; {@link #leader()} names the one to retry against, when known. */
public class NotLeaderException extends UnavailableException {
  private final String leader;

  public NotLeaderException(String leader) {
    super(leader == null
        ? "not leader (no leader is known yet; retry once an election has finished)"
        : "not leader (leader is " + leader + ")");
    this.leader = leader;
  }

  /** The current leader's id or address, or null when none is known. */
  public String leader() {
    return leader;
  }
}
