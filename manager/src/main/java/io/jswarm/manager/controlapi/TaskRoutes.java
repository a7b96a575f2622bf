package io.jswarm.manager.controlapi;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.json.Json;
import io.jswarm.api.listing.TaskRow;
import io.jswarm.api.listing.TaskRows;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.transport.http.Filters;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** {@code /tasks}: list with Docker's filters (service and node by id or name) and inspect. */
final class TaskRoutes {
  private static final Set<String> FILTERS = Set.of("desired-state", "id", "label", "name", "node", "service", "runtime",
      "_up-to-date");

  private final ManagerGate gate;

  TaskRoutes(ManagerGate gate) {
    this.gate = gate;
  }

  void routes(Router r) {
    r.get("/tasks", this::list);
    r.get("/tasks/{id}", this::inspect);
  }

  private HttpResponse list(HttpRequest req) {
    Filters f = Filters.parse(req.param("filters"), FILTERS);
    RowsView rows = RowsView.of(req);
    Set<TaskState> desired = new HashSet<>();
    for (String v : f.get("desired-state")) {
      try {
        desired.add(TaskState.fromJson(v));
      } catch (IllegalArgumentException e) {
        throw new InvalidArgumentException("Invalid desired-state filter value: " + v
            + " (running, shutdown, accepted or another task state)");
      }
    }
    List<Task> out = gate.store().view(tx -> {
      // dockerd resolves service and node filters by id, name or prefix, and answers 404 for unknown ones
      Set<String> services = new HashSet<>();
      for (String s : f.get("service")) {
        services.add(tx.services().lookup(s).id);
      }
      Set<String> nodes = new HashSet<>();
      for (String n : f.get("node")) {
        nodes.add(tx.nodes().lookup(gate.nodeRef(n)).id);
      }
      Map<String, String> serviceNames = ServiceRoutes.namesById(tx);
      if (rows != null) {
        rows.names(tx, serviceNames);
      }
      boolean upToDate = !f.get("_up-to-date").isEmpty();
      Map<String, String> templates = upToDate ? ServiceRoutes.templatesById(tx) : Map.of();
      List<Task> matched = new ArrayList<>();
      // The stored rows themselves (immutable once stored; serialized as they are), through an index when a filter
      // names services or nodes: no copy of every task, and a service's tasks without a walk over all of them.
      java.util.function.Consumer<Task> visit = t -> {
        boolean match = f.any("id", v -> Filters.prefix(t.id, v))
            && f.any("name", v -> Filters.prefix(displayName(t, serviceNames), v))
            && (services.isEmpty() || services.contains(t.serviceId))
            && (nodes.isEmpty() || nodes.contains(t.nodeId))
            && (desired.isEmpty() || desired.contains(t.desiredState))
            && f.any("runtime", v -> v.equals("container")) // jswarm tasks are all containers
            && (!upToDate || Objects.equals(Json.toString(t.spec), templates.get(t.serviceId)))
            && f.labels("label", t.labels);
        if (match) {
          matched.add(t);
        }
      };
      if (!services.isEmpty()) {
        for (String id : new java.util.TreeSet<>(services)) {
          tx.tasks().scan(Tables.BY_SERVICE, id, visit);
        }
        matched.sort((x, y) -> x.id.compareTo(y.id));
      } else if (!nodes.isEmpty()) {
        for (String id : new java.util.TreeSet<>(nodes)) {
          tx.tasks().scan(Tables.BY_NODE, id, visit);
        }
        matched.sort((x, y) -> x.id.compareTo(y.id));
      } else {
        tx.tasks().scanAll(visit);
      }
      return matched;
    });
    if (rows == null) {
      return HttpResponse.ok(out);
    }
    List<TaskRow> listed = rows.of(out);
    return rows.table ? HttpResponse.text(200, TaskRows.table(listed)) : HttpResponse.ok(listed);
  }

  /**
   * {@code view=rows} (a jswarm extension, docs/footprint.md): the list as {@code service ps} prints it, one
   * {@link TaskRow} a task in docker's order, with {@code now} (the client's clock, milliseconds since the epoch; the
   * daemon's when absent) for "5 seconds ago" and {@code trunc} for docker's shortened ids, images and errors;
   * {@code view=table}: those rows as the default table ({@link TaskRows#table}, plain text), which the client prints
   * as it comes.
   */
  private static final class RowsView {
    private final Instant now;
    private final boolean trunc;
    private final boolean table;
    private final Map<String, String> services = new HashMap<>();
    private final Map<String, String> nodes = new HashMap<>();

    private RowsView(Instant now, boolean trunc, boolean table) {
      this.now = now;
      this.trunc = trunc;
      this.table = table;
    }

    /** The view the request asks for; null for docker's task list. */
    static RowsView of(HttpRequest req) {
      String view = req.param("view");
      if (view == null) {
        return null;
      }
      if (!view.equals("rows") && !view.equals("table")) {
        throw new InvalidArgumentException("invalid view \"" + view + "\": leave it out for the tasks, or give rows "
            + "or table");
      }
      String now = req.param("now");
      Instant at = Instant.now();
      if (now != null) {
        try {
          at = Instant.ofEpochMilli(Long.parseLong(now));
        } catch (NumberFormatException | java.time.DateTimeException e) {
          throw new InvalidArgumentException("invalid now \"" + now + "\": milliseconds since 1970-01-01 UTC, such as "
              + System.currentTimeMillis());
        }
      }
      return new RowsView(at, req.flag("trunc"), view.equals("table"));
    }

    /** Reads the names the rows show, in the list's transaction. */
    void names(ReadTx tx, Map<String, String> serviceNames) {
      serviceNames.forEach((id, name) -> {
        if (name != null) {
          services.put(id, name);
        }
      });
      tx.nodes().scanAll(n -> {
        if (n.description != null && n.description.hostname != null && !n.description.hostname.isEmpty()) {
          nodes.put(n.id, n.description.hostname);
        }
      });
    }

    List<TaskRow> of(List<Task> tasks) {
      return TaskRows.rows(tasks, services, nodes, now, trunc);
    }
  }

  private HttpResponse inspect(HttpRequest req) {
    return HttpResponse.ok(gate.store().view(tx -> tx.tasks().lookup(req.pathParam("id"))));
  }

  /** swarmkit's task name: {@code <service>.<slot or node id>.<task id>}. */
  static String displayName(Task t, Map<String, String> serviceNames) {
    String service = serviceNames.getOrDefault(t.serviceId, t.serviceId);
    String middle = t.slot != null && t.slot > 0 ? String.valueOf(t.slot) : t.nodeId;
    return service + "." + middle + "." + t.id;
  }
}
