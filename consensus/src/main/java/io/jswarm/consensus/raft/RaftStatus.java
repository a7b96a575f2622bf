package io.jswarm.consensus.raft;

import java.util.Map;

/**
 * What {@code jswarm raft status} shows of one manager.
 *
 * @param id this manager
 * @param role LEADER, FOLLOWER, CANDIDATE or LISTENER
 * @param leader the current leader's id, or null when none is known
 * @param term current Raft term
 * @param commitIndex last committed log index known here
 * @param appliedIndex last index applied to the store here
 * @param snapshotIndex index of the newest snapshot on disk, or -1
 * @param peers id -> address of the current configuration
 */
public record RaftStatus(String id, String role, String leader, long term, long commitIndex, long appliedIndex,
    long snapshotIndex, Map<String, String> peers) {}
