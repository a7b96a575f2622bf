package io.jswarm.cli.metrics;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.raft.RaftNode;
import io.jswarm.consensus.raft.RaftStatus;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a manager's store and Raft member hold, counted at each scrape: tasks by observed and desired state,
 * services, updates by state, nodes by state and availability, and the Raft indexes, term, log and snapshot.
 * One consistent (stale) read per scrape. Registered when the manager role starts; {@link #close} takes the
 * series away when it stops (a worker has no store to count).
 */
public final class StoreMetrics implements AutoCloseable {
  static final List<String> NODE_STATES = List.of("unknown", "down", "ready", "disconnected");
  static final List<String> AVAILABILITIES = List.of("active", "pause", "drain");
  static final List<String> UPDATE_STATES = List.of("updating", "paused", "completed", "rollback_started",
      "rollback_paused", "rollback_completed");
  private static final String[] NAMES = {"jswarm_store_tasks", "jswarm_store_tasks_desired", "jswarm_store_services",
      "jswarm_store_nodes", "jswarm_store_service_updates", "jswarm_raft_term", "jswarm_raft_commit_index",
      "jswarm_raft_applied_index", "jswarm_raft_snapshot_index", "jswarm_raft_log_entries", "jswarm_raft_is_leader",
      "jswarm_raft_snapshot_bytes", "jswarm_raft_members"};

  private final Metrics metrics;
  private final MemoryStore store;
  private final RaftNode raft;
  private final Path raftDir;
  private final Runnable refresh = this::refresh;
  private volatile Map<String, Long> counts = Map.of();
  private volatile RaftStatus status;

  public StoreMetrics(Metrics metrics, MemoryStore store, RaftNode raft, Path raftDir) {
    this.metrics = metrics;
    this.store = store;
    this.raft = raft;
    this.raftDir = raftDir;
    for (TaskState s : TaskState.values()) {
      String st = s.json();
      metrics.gauge("jswarm_store_tasks", "Tasks in the store by observed state.", () -> count("task/" + st), "state", st);
      metrics.gauge("jswarm_store_tasks_desired", "Tasks in the store by desired state.",
          () -> count("desired/" + st), "state", st);
    }
    metrics.gauge("jswarm_store_services", "Services in the store.", () -> count("services"));
    for (String st : UPDATE_STATES) {
      metrics.gauge("jswarm_store_service_updates", "Services by the state of their last update or rollback.",
          () -> count("update/" + st), "state", st);
    }
    for (String st : NODE_STATES) {
      for (String a : AVAILABILITIES) {
        metrics.gauge("jswarm_store_nodes", "Nodes by state and availability.", () -> count("node/" + st + "/" + a),
            "state", st, "availability", a);
      }
    }
    metrics.gauge("jswarm_raft_term", "This member's current Raft term (each election raises it).",
        () -> status == null ? -1 : status.term());
    metrics.gauge("jswarm_raft_commit_index", "Index of the last committed Raft entry.",
        () -> status == null ? -1 : status.commitIndex());
    metrics.gauge("jswarm_raft_applied_index", "Index of the last Raft entry applied to this manager's store.",
        () -> status == null ? -1 : status.appliedIndex());
    metrics.gauge("jswarm_raft_snapshot_index", "Index of the latest snapshot.",
        () -> status == null ? -1 : status.snapshotIndex());
    metrics.gauge("jswarm_raft_log_entries", "Entries in the Raft log not yet purged into a snapshot.",
        () -> status == null ? -1 : Math.max(0, status.commitIndex() - raft.logStartIndex() + 1));
    metrics.gauge("jswarm_raft_is_leader", "1 while this manager is the Raft leader.",
        () -> status != null && "LEADER".equals(status.role()) ? 1 : 0);
    metrics.gauge("jswarm_raft_members", "Managers in the Raft configuration.",
        () -> status == null ? 0 : status.peers().size());
    metrics.gauge("jswarm_raft_snapshot_bytes", "Bytes of snapshot files kept in the Raft directory.",
        this::snapshotBytes);
    metrics.beforeScrape(refresh);
  }

  private long count(String key) {
    return counts.getOrDefault(key, 0L);
  }

  private void refresh() {
    try {
      status = raft.status();
    } catch (RuntimeException e) {
      status = null;
    }
    counts = store.viewStale(tx -> {
      Map<String, Long> c = new HashMap<>();
      for (Task t : tx.tasks().all()) {
        TaskState s = t.status == null || t.status.state == null ? TaskState.NEW : t.status.state;
        c.merge("task/" + s.json(), 1L, Long::sum);
        c.merge("desired/" + (t.desiredState == null ? TaskState.NEW : t.desiredState).json(), 1L, Long::sum);
      }
      for (Service s : tx.services().all()) {
        c.merge("services", 1L, Long::sum);
        if (s.updateStatus != null && s.updateStatus.state != null) {
          c.merge("update/" + s.updateStatus.state, 1L, Long::sum);
        }
      }
      for (Node n : tx.nodes().all()) {
        String st = n.status == null || n.status.state == null ? "unknown" : n.status.state;
        String a = n.spec == null || n.spec.availability == null ? "active" : n.spec.availability;
        c.merge("node/" + st.toLowerCase(Locale.ROOT) + "/" + a.toLowerCase(Locale.ROOT), 1L, Long::sum);
      }
      return c;
    });
  }

  private long snapshotBytes() {
    try (Stream<Path> files = Files.walk(raftDir)) {
      return files.filter(p -> p.getFileName().toString().contains("snapshot") && Files.isRegularFile(p))
          .mapToLong(p -> {
            try {
              return Files.size(p);
            } catch (IOException e) {
              return 0;
            }
          }).sum();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    metrics.removeBeforeScrape(refresh);
    for (String n : NAMES) {
      metrics.removeAll(n);
    }
  }
}
