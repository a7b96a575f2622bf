package io.jswarm.manager.controlapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.validation.LogParams;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tables;
import io.jswarm.transport.http.MultiplexedStream;
import io.jswarm.manager.logs.NodeLogSource;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.http.StreamSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /services/{id}/logs} and {@code GET /tasks/{id}/logs} the Docker Engine API way, on any manager.
 *
 * <p>Query: {@code stdout}, {@code stderr} (at least one), {@code follow}, {@code tail} (per task, {@code all} by
 * default), {@code timestamps}, {@code since} (Unix {@code seconds[.nanoseconds]}), {@code details}. The answer is
 * Docker's multiplexed stream; each message is {@code [<RFC3339NanoFixed time> ][<details> ]<line>}, where the
 * details are {@code com.docker.swarm.node.id=..,com.docker.swarm.service.id=..,com.docker.swarm.task.id=..} —
 * the Docker CLI asks for them to print its {@code name.slot.task@node |} prefix.
 *
 * <p>Lines come from the node that runs each task ({@link NodeLogSource}, at the node's {@code Status.ClusterAddr}).
 * Without follow the stream ends when every task's log is read. Following a task ends when the task is done on
 * its node (a task not running yet is waited for); following a service also picks up tasks created later and ends when the service is removed or the
 * client hangs up (as {@code docker service logs -f} never ends by itself).
 */
public final class LogRoutes {
  static final String CONTEXT = "com.docker.swarm";
  static final Duration NEW_TASK_POLL = Duration.ofMillis(500);
  static final DateTimeFormatter FIXED_NANOS = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
      .appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
      .appendLiteral('Z')
      .toFormatter()
      .withZone(ZoneOffset.UTC);

  private static final Logger LOG = LoggerFactory.getLogger(LogRoutes.class);

  private final ManagerGate gate;
  private final Supplier<NodeLogSource> sources;

  /**
   * @param lifecycle this node's membership and store
   * @param sources a node log source per request (one HTTPS client for all the tasks of a request)
   */
  public LogRoutes(SwarmLifecycle lifecycle, Supplier<NodeLogSource> sources) {
    this.gate = new ManagerGate(Objects.requireNonNull(lifecycle, "lifecycle"));
    this.sources = Objects.requireNonNull(sources, "sources");
  }

  public void routes(Router r) {
    r.get("/services/{id}/logs", req -> logs(req, true));
    r.get("/tasks/{id}/logs", req -> logs(req, false));
  }

  /** The query of a logs request. */
  record Options(boolean stdout, boolean stderr, boolean follow, int tail, boolean timestamps, boolean details,
      Instant since, Instant until) {
    static Options parse(HttpRequest req) {
      boolean stdout = req.flag("stdout");
      boolean stderr = req.flag("stderr");
      if (!stdout && !stderr) {
        throw new InvalidArgumentException("Bad parameters: you must choose at least one stream");
      }
      return new Options(stdout, stderr, req.flag("follow"), LogParams.tail(req.param("tail")), req.flag("timestamps"),
          req.flag("details"), LogParams.unixTime("since", req.param("since")),
          LogParams.unixTime("until", req.param("until")));
    }

    /** These options without a tail. */
    Options withAllLines() {
      return new Options(stdout, stderr, follow, -1, timestamps, details, since, until);
    }

    /** The node route's query for these options. */
    String nodeQuery() {
      StringBuilder b = new StringBuilder("stdout=" + (stdout ? 1 : 0) + "&stderr=" + (stderr ? 1 : 0));
      if (tail >= 0) {
        b.append("&tail=").append(tail);
      }
      if (since != null) {
        b.append("&since=").append(since.getEpochSecond()).append('.').append(String.format("%09d", since.getNano()));
      }
      if (until != null) {
        b.append("&until=").append(until.getEpochSecond()).append('.').append(String.format("%09d", until.getNano()));
      }
      if (follow) {
        b.append("&follow=1");
      }
      return b.toString();
    }
  }

  /** A task to read and where: its node's cluster address (null when unknown, with the reason in {@code problem}). */
  record Target(String taskId, String serviceId, String nodeId, String addr, String problem, boolean started) {}

  private HttpResponse logs(HttpRequest req, boolean service) {
    Options o = Options.parse(req);
    MemoryStore store = gate.store();
    String ref = req.pathParam("id");
    String watched;
    List<Target> targets;
    Function<ReadTx, List<Target>> watch = null;
    boolean once = false;
    if (service) {
      Service s = store.view(tx -> tx.services().lookup(ref));
      watched = s.id;
      targets = store.view(tx -> targets(tx, s.id));
      if (o.follow()) {
        watch = tx -> tx.services().get(s.id) == null ? null : targets(tx, s.id);
      }
    } else {
      Task t = store.view(tx -> tx.tasks().lookup(ref));
      watched = t.id;
      targets = store.view(tx -> t.nodeId == null ? List.<Target>of() : List.of(target(tx, t)));
      boolean started = !targets.isEmpty() && targets.get(0).started();
      boolean over = t.status != null && t.status.state != null && t.status.state.isTerminal();
      if (o.follow() && !started && !over) {
        once = true; // wait for the task to run, then follow it to its end
        watch = tx -> {
          Task now = tx.tasks().get(t.id);
          if (now == null || (now.status != null && now.status.state != null && now.status.state.isTerminal()
              && (now.nodeId == null || !target(tx, now).started()))) {
            return null;
          }
          return now.nodeId == null ? List.of() : List.of(target(tx, now));
        };
      }
    }
    NodeLogSource source = sources.get();
    Pump pump = new Pump(o, source, watch, once);
    List<String> problems = new ArrayList<>();
    for (Target t : targets) {
      if (o.follow() && !t.started()) {
        continue; // not on its node yet (the agent may not know it): the watcher opens it once it runs
      }
      String problem = pump.open(t, o.nodeQuery());
      if (problem != null) {
        problems.add(problem);
      }
    }
    if (!problems.isEmpty() && pump.opened.isEmpty()) {
      throw new UnavailableException("could not read the logs: " + String.join("; ", problems));
    }
    problems.forEach(p -> LOG.warn("logs of {}: {}", ref, p));
    return HttpResponse.stream(200, MultiplexedStream.CONTENT_TYPE, sink -> pump.start(sink, store, watched));
  }

  private static List<Target> targets(ReadTx tx, String serviceId) {
    List<Target> out = new ArrayList<>();
    for (Task t : tx.tasks().find(Tables.BY_SERVICE, serviceId)) {
      if (t.nodeId != null && !t.nodeId.isEmpty()) {
        out.add(target(tx, t));
      }
    }
    return out;
  }

  private static Target target(ReadTx tx, Task t) {
    Node n = tx.nodes().get(t.nodeId);
    String addr = n == null || n.status == null ? null : n.status.clusterAddr;
    if ((addr == null || addr.isEmpty()) && n != null && n.managerStatus != null) {
      addr = n.managerStatus.addr;
    }
    String problem = null;
    if (n == null) {
      problem = "task " + t.id + ": its node " + t.nodeId + " is no longer in the swarm";
    } else if (addr == null || addr.isEmpty()) {
      problem = "task " + t.id + ": node " + t.nodeId + " has not reported its cluster address yet";
    } else if (n.status != null && "down".equals(n.status.state)) {
      problem = "task " + t.id + ": node " + t.nodeId + " is down";
    }
    boolean started = t.status != null && t.status.state != null
        && t.status.state.compareTo(io.jswarm.api.types.TaskState.RUNNING) >= 0;
    return new Target(t.id, t.serviceId, t.nodeId, problem == null ? addr : null, problem, started);
  }

  /** Copies the lines of every task's node stream into one multiplexed response. */
  private static final class Pump {
    private final Options o;
    private final NodeLogSource source;
    /** While following: the tasks to read now, or null once the service or task is gone. */
    private final Function<ReadTx, List<Target>> watch;
    /** The watcher ends after opening one task (following a task that was not running yet). */
    private final boolean once;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final List<Reader> opened = new ArrayList<>();
    private final AtomicInteger active = new AtomicInteger();
    private volatile StreamSink sink;

    Pump(Options o, NodeLogSource source, Function<ReadTx, List<Target>> watch, boolean once) {
      this.o = o;
      this.source = source;
      this.watch = watch;
      this.once = once;
    }

    /** Connects to the task's node; returns a problem instead when that fails. */
    String open(Target t, String query) {
      seen.add(t.taskId());
      if (t.addr() == null) {
        return t.problem();
      }
      try {
        InputStream in = source.open(t.addr(), t.taskId(), query);
        synchronized (opened) {
          opened.add(new Reader(t, in));
        }
        return null;
      } catch (IOException e) {
        return e.getMessage();
      }
    }

    void start(StreamSink sink, MemoryStore store, String watched) {
      this.sink = sink;
      List<Reader> first;
      synchronized (opened) {
        first = List.copyOf(opened);
      }
      active.set(first.size() + (watch != null ? 1 : 0));
      sink.onClose(this::hangUp);
      // logs already read whole (tasks of this node with a tail and no follow) are copied one after the other on one
      // thread: a thread per task was ~1 ms each to start, most of a 100-task request (docs/footprint.md)
      List<Reader> inMemory = new ArrayList<>();
      for (Reader r : first) {
        if (r.in instanceof java.io.ByteArrayInputStream) {
          inMemory.add(r);
        } else {
          run(r);
        }
      }
      if (!inMemory.isEmpty()) {
        Thread t = new Thread(() -> {
          for (Reader r : inMemory) {
            r.thread = Thread.currentThread();
            try {
              r.copy();
            } finally {
              done();
            }
          }
        }, "logs-read-" + inMemory.size());
        t.setDaemon(true);
        t.start();
      }
      if (watch != null) {
        Thread w = new Thread(() -> watch(store, watched), "logs-watch-" + watched);
        w.setDaemon(true);
        w.start();
      }
      if (active.get() == 0) {
        sink.close();
      }
    }

    private void run(Reader r) {
      Thread t = new Thread(() -> {
        try {
          r.copy();
        } finally {
          done();
        }
      }, "logs-" + r.target.taskId());
      t.setDaemon(true);
      r.thread = t;
      t.start();
    }

    private void done() {
      if (active.decrementAndGet() == 0) {
        sink.close();
      }
    }

    /**
     * Following: tasks that start later are read too, until the service (or task) is gone or the client left;
     * with {@code once}, until the one task has been opened.
     */
    private void watch(MemoryStore store, String watched) {
      try {
        while (sink.isOpen()) {
          Thread.sleep(NEW_TASK_POLL.toMillis());
          List<Target> now = store.viewStale(tx -> watch.apply(tx));
          if (now == null) {
            return;
          }
          for (Target t : now) {
            if (!seen.contains(t.taskId()) && t.addr() != null && t.started()) {
              // a task that started after the request: all of its lines are new, whatever the tail
              String problem = open(t, o.withAllLines().nodeQuery());
              if (problem != null) {
                LOG.debug("logs of {}: {}", watched, problem);
                continue;
              }
              Reader r;
              synchronized (opened) {
                r = opened.get(opened.size() - 1);
              }
              active.incrementAndGet();
              run(r);
              if (once) {
                return;
              }
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        done();
      }
    }

    private void hangUp() {
      List<Reader> all;
      synchronized (opened) {
        all = List.copyOf(opened);
      }
      for (Reader r : all) {
        r.close();
      }
    }

    private final class Reader {
      final Target target;
      final InputStream in;
      volatile Thread thread;

      Reader(Target target, InputStream in) {
        this.target = target;
        this.in = in;
      }

      void copy() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          String line;
          while ((line = lines.readLine()) != null) {
            if (line.isBlank()) {
              continue;
            }
            byte[] frame = frame(line);
            if (frame != null && !sink.send(frame)) {
              return;
            }
          }
        } catch (IOException e) {
          if (sink.isOpen()) {
            LOG.warn("log stream of task {} from {} broke off: {}", target.taskId(), target.addr(), e.getMessage());
          }
        }
      }

      private byte[] frame(String line) {
        JsonNode n;
        try {
          n = Json.mapper().readTree(line);
        } catch (IOException e) {
          LOG.debug("skipping a malformed log line from {}: {}", target.addr(), e.getMessage());
          return null;
        }
        StringBuilder b = new StringBuilder();
        if (o.timestamps()) {
          Instant t;
          try {
            t = Instant.parse(n.path("time").asText());
          } catch (RuntimeException e) {
            t = Instant.EPOCH;
          }
          b.append(FIXED_NANOS.format(t)).append(' ');
        }
        if (o.details()) {
          b.append(CONTEXT).append(".node.id=").append(target.nodeId())
              .append(',').append(CONTEXT).append(".service.id=").append(target.serviceId())
              .append(',').append(CONTEXT).append(".task.id=").append(target.taskId()).append(' ');
        }
        b.append(n.path("log").asText());
        int stream = "stderr".equals(n.path("stream").asText()) ? MultiplexedStream.STDERR : MultiplexedStream.STDOUT;
        return MultiplexedStream.frame(stream, b.toString().getBytes(StandardCharsets.UTF_8));
      }

      void close() {
        Thread t = thread;
        if (t != null) {
          t.interrupt();
        }
        try {
          in.close();
        } catch (IOException e) {
          // hanging up anyway
        }
      }
    }
  }
}
