package io.jswarm.manager.controlapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import io.jswarm.api.types.Version;
import io.jswarm.api.validation.SpecValidator;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tables;
import io.jswarm.transport.http.Filters;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code /services}: list (with {@code status=true} task counts), create, inspect, update (compare-and-set on
 * {@code ?version=}, {@code rollback=previous}) and remove. Create and update take {@code ?dryRun=true} (jswarm
 * extension): validated the same way, they answer the {@link DryRun} placement plan and write nothing. Removing only deletes the service row; the
 * orchestrator shuts its tasks down.
 */
final class ServiceRoutes {
  private static final Set<String> FILTERS = Set.of("id", "label", "mode", "name");
  private static final Set<String> MODES = Set.of("replicated", "global", "replicated-job", "global-job");

  private final ManagerGate gate;
  private final Clock clock;
  private final ServiceNames names;

  ServiceRoutes(ManagerGate gate, Clock clock, ServiceNames names) {
    this.gate = gate;
    this.clock = clock;
    this.names = names;
  }

  void routes(Router r) {
    r.get("/services", this::list);
    r.post("/services/create", this::create);
    r.get("/services/{id}", this::inspect);
    r.post("/services/{id}/update", this::update);
    r.post("/services/{id}/promote", this::promote);
    r.post("/services/{id}/rebalance", req -> HttpResponse.ok(gate.store().update(tx ->
        Rebalance.run(tx, tx.services().lookup(req.pathParam("id"))))));
    r.delete("/services/{id}", this::remove);
  }

  /** Docker {@code ServiceCreateResponse}. */
  static final class Created {
    @JsonProperty("ID")
    public final String id;
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public final List<String> warnings;

    Created(String id, List<String> warnings) {
      this.id = id;
      this.warnings = warnings;
    }
  }

  /** Docker {@code ServiceUpdateResponse}. */
  static final class Updated {
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public final List<String> warnings;

    Updated(List<String> warnings) {
      this.warnings = warnings;
    }
  }

  private HttpResponse list(HttpRequest req) {
    Filters f = Filters.parse(req.param("filters"), FILTERS);
    for (String m : f.get("mode")) {
      if (!MODES.contains(m)) {
        throw new InvalidArgumentException("Invalid filter: 'mode'='" + m + "': replicated, global, replicated-job "
            + "or global-job");
      }
    }
    boolean status = req.flag("status");
    List<Service> out = gate.store().view(tx -> {
      List<Service> matched = new ArrayList<>();
      for (Service s : tx.services().all()) {
        ServiceSpec spec = s.spec;
        boolean match = f.any("id", v -> Filters.prefix(s.id, v))
            && f.any("name", v -> Filters.prefix(spec == null ? null : spec.name, v))
            && f.any("mode", v -> v.equals(mode(spec)))
            && f.labels("label", spec == null ? null : spec.labels);
        if (match) {
          matched.add(s);
        }
      }
      if (status) {
        fillStatus(tx, matched);
      }
      return matched;
    });
    return HttpResponse.ok(out);
  }

  private HttpResponse create(HttpRequest req) {
    String registryAuth = RegistryAuthHeader.of(req);
    ServiceSpec spec = req.json(ServiceSpec.class);
    normalize(spec);
    boolean unnamed = spec.name == null || spec.name.isEmpty();
    if (unnamed) {
      spec.name = "placeholder"; // validated as a valid name; the real one is picked in the transaction
    }
    SpecValidator.validateService(spec);
    if (req.flag("dryRun")) {
      return HttpResponse.ok(gate.store().view(tx -> {
        if (!unnamed && tx.services().byName(spec.name) != null) {
          throw new ConflictException("a service named " + spec.name + " exists already; the dry run of its creation "
              + "would fail the same way");
        }
        if (unnamed) {
          spec.name = "";
        }
        ServiceReferences.check(tx, spec, null);
        SpecValidator.validateReplicaLimit(spec, maxReplicas(tx));
        return DryRun.plan(tx, null, spec);
      }));
    }
    Service created = gate.store().update(tx -> {
      Service s = new Service();
      s.spec = spec;
      s.registryAuth = registryAuth;
      if (spec.endpointSpec != null && (spec.endpointSpec.ports == null || spec.endpointSpec.ports.isEmpty())) {
        // The endpoint as the allocator leaves a service without published ports (VIPs come on top): a service
        // with no networks then has nothing written back, and docker events shows 'create' alone, as dockerd does
        // (ports or VIPs still get their 'update' when the allocator fills them in, as swarmkit's allocator does).
        s.endpoint = new io.jswarm.api.types.Endpoint();
        s.endpoint.spec = Json.copy(spec.endpointSpec);
      }
      if (unnamed) {
        spec.name = names.pick(n -> tx.services().byName(n) == null);
      }
      ServiceReferences.check(tx, spec, null);
      SpecValidator.validateReplicaLimit(spec, maxReplicas(tx));
      if (spec.mode.isJob()) {
        s.jobStatus = new Service.JobStatus();
        s.jobStatus.jobIteration = new Version(0); // swarmkit: the first run is iteration 0
        s.jobStatus.lastExecution = Timestamps.format(clock.instant());
      }
      return tx.services().create(s);
    });
    // the warnings read this manager's applied state, which holds the create (no read barrier: one Raft round
    // trip less per create and update, docs/scale.md "The election timeout, a setting")
    List<String> warnings = gate.store().viewStale(tx -> FeatureWarnings.of(tx, spec));
    return HttpResponse.json(201, new Created(created.id, warnings));
  }

  private HttpResponse inspect(HttpRequest req) {
    return HttpResponse.ok(gate.store().view(tx -> tx.services().lookup(req.pathParam("id"))));
  }

  private HttpResponse update(HttpRequest req) {
    Version version = ManagerGate.version(req, "service");
    String rollback = req.param("rollback");
    boolean previous = "previous".equals(rollback);
    if (rollback != null && !rollback.isEmpty() && !previous) {
      throw new InvalidArgumentException("invalid rollback parameter '" + rollback + "': only \"previous\" is allowed");
    }
    Long canary = canary(req.param("canary"));
    String registryAuth = RegistryAuthHeader.of(req);
    if (canary != null && previous) {
      throw new InvalidArgumentException("canary and rollback=previous cannot be combined: a rollback has no canary");
    }
    ServiceSpec given = null;
    if (!previous) {
      given = req.json(ServiceSpec.class);
      normalize(given);
      SpecValidator.validateService(given);
    }
    ServiceSpec spec = given;
    if (req.flag("dryRun")) {
      if (previous || canary != null) {
        throw new InvalidArgumentException("dryRun takes a new spec only: it cannot be combined with rollback or canary");
      }
      return HttpResponse.ok(gate.store().view(tx -> {
        Service s = tx.services().lookup(req.pathParam("id"));
        checkUpdate(tx, s, spec);
        SpecValidator.validateReplicaLimit(spec, maxReplicas(tx));
        return DryRun.plan(tx, s, spec);
      }));
    }
    Service updated = gate.store().update(tx -> {
      Service s = tx.services().lookup(req.pathParam("id"));
      ServiceSpec next;
      if (previous) {
        if (s.previousSpec == null) {
          throw new InvalidArgumentException("service " + s.id + " does not have a previous spec");
        }
        next = s.previousSpec;
        Service.UpdateStatus st = new Service.UpdateStatus();
        st.state = "rollback_started";
        st.message = "manually requested rollback";
        st.startedAt = Timestamps.format(clock.instant());
        s.updateStatus = st;
      } else {
        checkUpdate(tx, s, spec);
        next = spec;
        s.updateStatus = null;
        if (canary != null) {
          Service.UpdateStatus st = new Service.UpdateStatus();
          st.state = "updating";
          st.message = "update in progress (canary of " + canary + ")";
          st.startedAt = Timestamps.format(clock.instant());
          st.canary = canary;
          s.updateStatus = st;
        }
      }
      SpecValidator.validateReplicaLimit(next, maxReplicas(tx));
      if (s.jobStatus != null) {
        // an update starts a new run of the job, numbered as swarmkit does: the service's version before it
        s.jobStatus.jobIteration = new Version(s.versionIndex());
        s.jobStatus.lastExecution = Timestamps.format(clock.instant());
      }
      s.previousSpec = s.spec;
      s.spec = next;
      s.version = version;
      if (registryAuth != null) { // without the header the credentials given before stay, as dockerd keeps them
        s.registryAuth = registryAuth;
      }
      return tx.services().update(s);
    });
    return HttpResponse.ok(new Updated(gate.store().viewStale(tx -> FeatureWarnings.of(tx, updated.spec))));
  }

  /** What an update may not change (name, mode) and must reference (existing networks, secrets, configs). */
  private static void checkUpdate(ReadTx tx, Service s, ServiceSpec spec) {
    if (s.spec != null && !Objects.equals(s.spec.name, spec.name)) {
      throw new InvalidArgumentException("renaming services is not supported (Spec.Name \"" + spec.name
          + "\" differs from \"" + s.spec.name + "\")");
    }
    if (s.spec != null && !mode(s.spec).equals(mode(spec))) {
      throw new InvalidArgumentException("service mode change is not allowed (from " + mode(s.spec) + " to "
          + mode(spec) + ")");
    }
    ServiceReferences.check(tx, spec, s.id);
  }

  /** The cluster's MaxReplicasPerService (a jswarm extension of the swarm spec; 100,000 unless set). */
  private static long maxReplicas(ReadTx tx) {
    return Swarm.Orchestration.maxReplicasPerService(SwarmRoutes.cluster(tx).spec);
  }

  /** jswarm's {@code ?canary=N} on an update: N tasks of the new spec first, then a pause until promoted. */
  private static Long canary(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      long n = Long.parseLong(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new InvalidArgumentException("invalid canary parameter '" + value + "': give a number of tasks, 1 or more");
  }

  /**
   * jswarm extension {@code POST /services/{id}/promote}: an update paused after its canary tasks continues
   * (state updating, canary cleared) with the service's UpdateConfig.
   */
  private HttpResponse promote(HttpRequest req) {
    gate.store().update(tx -> {
      Service s = tx.services().lookup(req.pathParam("id"));
      Service.UpdateStatus st = s.updateStatus;
      if (st == null || st.canary == null || !"paused".equals(st.state)) {
        String state = st == null || st.state == null ? "no update" : st.state;
        throw new ConflictException("service " + s.spec.name + " has no canary waiting to be promoted (update state: "
            + state + "); start one with `jswarm service update --canary N ...`");
      }
      st.state = "updating";
      st.message = "update in progress (canary promoted)";
      st.canary = null;
      return tx.services().update(s);
    });
    return HttpResponse.ok(new Updated(null));
  }

  private HttpResponse remove(HttpRequest req) {
    gate.store().update(tx -> {
      tx.services().delete(tx.services().lookup(req.pathParam("id")).id);
      return null;
    });
    return HttpResponse.empty(200);
  }

  /** What dockerd fills in before storing: a missing mode is one replica. */
  private static void normalize(ServiceSpec spec) {
    if (spec.mode == null) {
      spec.mode = ServiceMode.replicated(1);
    } else if (spec.mode.replicated != null && spec.mode.replicated.replicas == null
        && spec.mode.global == null && !spec.mode.isJob()) {
      spec.mode.replicated.replicas = 1L;
    }
  }

  static String mode(ServiceSpec spec) {
    ServiceMode m = spec == null ? null : spec.mode;
    if (m == null || m.replicated != null) {
      return "replicated";
    }
    if (m.global != null) {
      return "global";
    }
    return m.replicatedJob != null ? "replicated-job" : "global-job";
  }

  /**
   * Task counts as {@code docker service ls} shows them: running tasks on nodes that are not down; desired is the
   * replica count, or for global services the tasks meant to run on such nodes.
   */
  private static void fillStatus(ReadTx tx, List<Service> services) {
    Set<String> liveNodes = new HashSet<>();
    tx.nodes().scanAll(n -> {
      if (n.status == null || !"down".equals(n.status.state)) {
        liveNodes.add(n.id);
      }
    });
    for (Service s : services) {
      long[] counts = new long[3]; // running, desired (global), completed
      // read from the store's counter (kept at each apply), not by visiting every task of a large service
      String iteration = s.jobStatus == null || s.jobStatus.jobIteration == null ? null
          : Long.toString(s.jobStatus.jobIteration.index);
      tx.tasks().counts(Tables.STATUS_COUNTS, s.id + "/").forEach((key, n) -> {
        String[] k = key.split("/", -1); // serviceId, nodeId, jobIteration, kind
        if (!k[1].isEmpty() && !liveNodes.contains(k[1])) {
          return;
        }
        if (iteration != null && !iteration.equals(k[2])) {
          return; // a job counts the tasks of its current run only, as dockerd
        }
        switch (k[3]) {
          case Tables.COUNT_RUNNING -> counts[0] += n;
          case Tables.COUNT_COMPLETE -> counts[2] += n;
          default -> counts[1] += n;
        }
      });
      long running = counts[0];
      long desiredGlobal = counts[1];
      long completed = counts[2];
      Service.ServiceStatus st = new Service.ServiceStatus();
      st.runningTasks = running;
      ServiceMode m = s.spec == null ? null : s.spec.mode;
      if (m == null || m.replicated != null) {
        st.desiredTasks = m == null || m.replicated.replicas == null ? 1 : m.replicated.replicas;
      } else if (m.replicatedJob != null) {
        long total = m.replicatedJob.completions();
        long concurrent = m.replicatedJob.concurrency();
        st.desiredTasks = Math.max(0, Math.min(concurrent, total - completed));
        st.completedTasks = completed;
      } else {
        st.desiredTasks = desiredGlobal;
        if (m.globalJob != null) {
          st.completedTasks = completed;
        }
      }
      s.serviceStatus = st;
    }
  }

  /**
   * Each service's task template as JSON, for the docker CLI's {@code _up-to-date} task filter (swarmkit compares
   * spec versions; a task whose spec is a copy of the current template is up to date).
   */
  static Map<String, String> templatesById(ReadTx tx) {
    Map<String, String> out = new HashMap<>();
    for (Service s : tx.services().all()) {
      out.put(s.id, s.spec == null ? null : Json.toString(s.spec.taskTemplate));
    }
    return out;
  }

  /** Each service's name by id, for {@link TaskRoutes}' task names. */
  static Map<String, String> namesById(ReadTx tx) {
    Map<String, String> out = new HashMap<>();
    for (Service s : tx.services().all()) {
      out.put(s.id, s.spec == null ? null : s.spec.name);
    }
    return out;
  }
}
