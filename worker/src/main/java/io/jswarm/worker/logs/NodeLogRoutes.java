package io.jswarm.worker.logs;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.validation.LogParams;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.http.StreamSink;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-local log route every node serves on its cluster port, for managers only:
 * {@code GET /node/tasks/{id}/logs?stdout=1&stderr=1&tail=N&since=S&until=U&follow=1}. {@code since}/{@code until}
 * are Docker's {@code seconds[.nanoseconds]} Unix times. The answer streams the selected json-file lines as they
 * are stored, one per line ({@code application/x-ndjson}); a manager turns them into Docker's multiplexed stream.
 * A task with no log (yet) answers an empty stream; with follow the stream ends once the task is no longer
 * active on this node (its container is gone) and its log is read to the end, or when the manager hangs up.
 */
public final class NodeLogRoutes {
  public static final String PATH = "/node/tasks/{id}/logs";
  public static final String CONTENT_TYPE = "application/x-ndjson";

  private static final Logger LOG = LoggerFactory.getLogger(NodeLogRoutes.class);
  private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9]{1,64}");

  private final Path dataRoot;
  private final Predicate<String> taskActive;

  /**
   * @param dataRoot this node's data root (logs are under {@code containers/<task>/})
   * @param taskActive whether a task's container still runs (or may still start) on this node; a follower stops
   *     once it is false
   */
  public NodeLogRoutes(Path dataRoot, Predicate<String> taskActive) {
    this.dataRoot = Objects.requireNonNull(dataRoot, "dataRoot");
    this.taskActive = Objects.requireNonNull(taskActive, "taskActive");
  }

  public void routes(Router r) {
    r.get(PATH, this::logs);
  }

  private HttpResponse logs(HttpRequest req) {
    if (req.peer() == null || !req.peer().isManager()) {
      throw new ForbiddenException("node log routes answer only managers of this cluster (a swarm-manager "
          + "certificate is required)");
    }
    String id = req.pathParam("id");
    if (id == null || !TASK_ID.matcher(id).matches()) {
      throw new InvalidArgumentException("task id: letters and digits only, got '" + id + "'");
    }
    LogQuery q = query(req);
    JsonLogReader reader = new JsonLogReader(JsonLogReader.taskDir(dataRoot, id));
    return HttpResponse.stream(200, CONTENT_TYPE, sink -> {
      Thread t = new Thread(() -> pump(reader, q, id, sink), "node-logs-" + id);
      t.setDaemon(true);
      sink.onClose(t::interrupt);
      t.start();
    });
  }

  /**
   * The lines the route would answer for {@code taskId} and {@code query} (the route's query string, without
   * {@code ?}), read in this process: for a manager that asks for the logs of tasks on its own node. Through the
   * route, each task was a TLS connection of the manager to itself (an HTTP/1.1 connection stays with its answer
   * until that is read, so a service's logs opened one per task: ~100 handshakes for 100 tasks, most of
   * {@code service logs}' time, docs/footprint.md). A thread reads the log into a pipe, as the route's thread
   * reads it into the response; closing the stream ends it (a follow included).
   *
   * @throws io.jswarm.api.errors.InvalidArgumentException for a task id or query the route refuses (the same 400)
   */
  public InputStream open(String taskId, String query) throws IOException {
    if (taskId == null || !TASK_ID.matcher(taskId).matches()) {
      throw new InvalidArgumentException("task id: letters and digits only, got '" + taskId + "'");
    }
    Map<String, List<String>> params = new HashMap<>();
    for (String pair : query.split("&")) {
      if (!pair.isEmpty()) {
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        params.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
    }
    LogQuery q = query(new HttpRequest("GET", PATH, params, Map.of(), null, Map.of("id", taskId), null));
    JsonLogReader reader = new JsonLogReader(JsonLogReader.taskDir(dataRoot, taskId));
    if (!q.follow() && q.tail() >= 0) {
      // a bounded read that ends by itself (--tail N, no follow): read now, on the caller's thread. A thread per task
      // was most of a 100-task request once the TLS connections went (~1 ms to start each, docs/footprint.md)
      ByteArrayOutputStream whole = new ByteArrayOutputStream();
      try {
        reader.read(q, e -> {
          whole.writeBytes(e.toJsonBytes());
          return true;
        }, () -> true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted reading the log of task " + taskId);
      }
      return new ByteArrayInputStream(whole.toByteArray());
    }
    LocalStream in = new LocalStream();
    PipedOutputStream out = new PipedOutputStream(in);
    Thread t = new Thread(() -> {
      try (out) {
        reader.read(q, e -> {
          try {
            out.write(e.toJsonBytes());
            return true;
          } catch (IOException closed) {
            return false; // the reader hung up
          }
        }, () -> in.closed || !taskActive.test(taskId));
      } catch (InterruptedException e) {
        // hung up while following
      } catch (Exception e) {
        if (!in.closed) {
          LOG.warn("reading the log of task {} failed: {}", taskId, e.toString());
        }
      }
    }, "node-logs-" + taskId);
    t.setDaemon(true);
    in.writer = t;
    t.start();
    return in;
  }

  /** The reading end of {@link #open}'s pipe: closing it stops the reading thread. */
  private static final class LocalStream extends PipedInputStream {
    volatile boolean closed;
    volatile Thread writer;

    LocalStream() {
      super(64 * 1024);
    }

    @Override
    public void close() throws IOException {
      closed = true;
      super.close();
      Thread t = writer;
      if (t != null) {
        t.interrupt(); // a follow waiting for new lines
      }
    }
  }

  private void pump(JsonLogReader reader, LogQuery q, String id, StreamSink sink) {
    try {
      reader.read(q, e -> sink.send(e.toJsonBytes()), () -> !sink.isOpen() || !taskActive.test(id));
    } catch (InterruptedException e) {
      // the manager hung up
    } catch (Exception e) {
      LOG.warn("reading the log of task {} failed: {}", id, e.toString());
    } finally {
      sink.close();
    }
  }

  /** Parses the query parameters of the node route (what {@link #queryString} writes). */
  public static LogQuery query(HttpRequest req) {
    boolean stdout = req.flag("stdout");
    boolean stderr = req.flag("stderr");
    if (!stdout && !stderr) {
      throw new InvalidArgumentException("Bad parameters: you must choose at least one stream");
    }
    return new LogQuery(stdout, stderr, LogParams.tail(req.param("tail")),
        LogParams.unixTime("since", req.param("since")), LogParams.unixTime("until", req.param("until")),
        req.flag("follow"));
  }

  /** The query string for {@code q} (without {@code ?}). */
  public static String queryString(LogQuery q) {
    StringBuilder b = new StringBuilder();
    b.append("stdout=").append(q.stdout() ? 1 : 0).append("&stderr=").append(q.stderr() ? 1 : 0);
    if (q.tail() >= 0) {
      b.append("&tail=").append(q.tail());
    }
    if (q.since() != null) {
      b.append("&since=").append(LogParams.unixString(q.since()));
    }
    if (q.until() != null) {
      b.append("&until=").append(LogParams.unixString(q.until()));
    }
    if (q.follow()) {
      b.append("&follow=1");
    }
    return b.toString();
  }

  /** 403: the caller's certificate does not allow this route. */
  static final class ForbiddenException extends JswarmException {
    ForbiddenException(String message) {
      super(message);
    }

    @Override
    public int httpStatus() {
      return 403;
    }
  }
}
