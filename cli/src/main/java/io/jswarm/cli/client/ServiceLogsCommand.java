package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.transport.http.MultiplexedStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jswarm service logs [-f] [--tail N] [-t] SERVICE|TASK}, as {@code docker service logs}: asks the daemon for
 * the multiplexed stream with details, and prints each line as {@code [time ]name.slot.task@node    | line}
 * (stdout lines on stdout, stderr lines on stderr).
 */
@Command(name = "logs", description = "Fetch the logs of a service or task.")
final class ServiceLogsCommand extends ClientCommand {
  private static final String CONTEXT = "com.docker.swarm.";

  @Option(names = {"-f", "--follow"}, description = "Follow log output.")
  boolean follow;

  @Option(names = {"-n", "--tail"}, defaultValue = "all", description = "Number of lines to show from the end of "
      + "the logs (default \"all\").")
  String tail;

  @Option(names = {"-t", "--timestamps"}, description = "Show timestamps.")
  boolean timestamps;

  @Option(names = "--since", description = "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative "
      + "(e.g. \"42m\" for 42 minutes).")
  String since;

  @Option(names = "--no-task-ids", description = "Do not include task IDs in output.")
  boolean noTaskIds;

  @Option(names = "--no-trunc", description = "Do not truncate output.")
  boolean noTrunc;

  @Option(names = "--no-resolve", description = "Do not map IDs to Names in output.")
  boolean noResolve;

  @Option(names = "--raw", description = "Do not neatly format logs.")
  boolean raw;

  @Option(names = "--details", description = "Show extra details provided to logs.")
  boolean details;

  @Parameters(index = "0", paramLabel = "SERVICE|TASK", description = "Service id, prefix or name, or task id or prefix.")
  String target;

  @Override
  protected int run(ApiClient api) {
    String base;
    int padding;
    try {
      JsonNode s = api.getTree("/services/" + seg(target));
      base = "/services/" + seg(target) + "/logs";
      JsonNode replicas = s.path("Spec").path("Mode").path("Replicated").path("Replicas");
      padding = replicas.isNumber() ? digits(replicas.asLong()) : 1;
    } catch (DaemonErrorException e) {
      if (e.status() != 404) {
        throw e;
      }
      try {
        JsonNode t = api.getTree("/tasks/" + seg(target));
        base = "/tasks/" + seg(target) + "/logs";
        padding = digits(t.path("Slot").asLong());
      } catch (DaemonErrorException e2) {
        if (e2.status() == 404) {
          throw new DaemonErrorException(404, "no such task or service: " + target);
        }
        throw e2;
      }
    }
    StringBuilder q = new StringBuilder("?stdout=1&stderr=1");
    q.append("&details=").append(details || !raw ? 1 : 0);
    q.append("&follow=").append(follow ? 1 : 0);
    q.append("&timestamps=").append(timestamps ? 1 : 0);
    q.append("&tail=").append(tailValue(tail));
    if (since != null && !since.isEmpty()) {
      q.append("&since=").append(unixSince(since, Instant.now()));
    }
    Prefixes prefixes = new Prefixes(api, padding);
    MultiplexedStream.Decoder decoder = new MultiplexedStream.Decoder();
    try (ApiClient.LineStream s = api.openStream("GET", base + q, null, !follow)) { // without -f it ends by itself
      byte[] chunk;
      while ((chunk = s.readBytes()) != null) {
        for (MultiplexedStream.Frame f : decoder.feed(chunk)) {
          PrintWriter w = f.stream() == MultiplexedStream.STDERR ? err : out;
          w.print(raw ? new String(f.payload(), StandardCharsets.UTF_8) : format(f.payload(), prefixes));
          w.flush();
        }
      }
    }
    return 0;
  }

  /** Docker: a negative or non-numeric tail is "all". */
  static String tailValue(String v) {
    try {
      return Integer.parseInt(v.trim()) < 0 ? "all" : v.trim();
    } catch (NumberFormatException e) {
      return "all";
    }
  }

  private static int digits(long n) {
    return Long.toString(Math.max(n, 0)).length();
  }

  /** {@code --since}: see {@link TimeArgs#unix}. */
  static String unixSince(String v, Instant now) {
    return TimeArgs.unix("since", v, now);
  }

  /** {@code [time ]details line} -> {@code [time ]prefix    | [other details ]line}. */
  private String format(byte[] payload, Prefixes prefixes) {
    String text = new String(payload, StandardCharsets.UTF_8);
    String[] parts = text.split(" ", timestamps ? 3 : 2);
    if (parts.length < (timestamps ? 3 : 2)) {
      return text; // no context: print it as it came
    }
    String time = timestamps ? parts[0] : null;
    String detailText = parts[timestamps ? 1 : 0];
    String message = parts[timestamps ? 2 : 1];
    Map<String, String> d = new java.util.TreeMap<>();
    for (String kv : detailText.split(",")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        d.put(java.net.URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
            java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    String node = d.remove(CONTEXT + "node.id");
    String service = d.remove(CONTEXT + "service.id");
    String task = d.remove(CONTEXT + "task.id");
    StringBuilder b = new StringBuilder();
    if (time != null) {
      b.append(time).append(' ');
    }
    if (task != null) {
      b.append(prefixes.of(node, service, task)).append("    | ");
    }
    if (details && !d.isEmpty()) {
      StringBuilder extra = new StringBuilder();
      d.forEach((k, v) -> extra.append(extra.length() == 0 ? "" : ",").append(k).append('=').append(v));
      b.append(extra).append(' ');
    }
    b.append(message);
    return b.toString();
  }

  /** {@code service.slot.task@node}, looked up once per task. */
  private final class Prefixes {
    private final ApiClient api;
    private final int padding;
    private final Map<String, String> cache = new HashMap<>();

    Prefixes(ApiClient api, int padding) {
      this.api = api;
      this.padding = padding;
    }

    String of(String nodeId, String serviceId, String taskId) {
      String key = nodeId + "/" + serviceId + "/" + taskId;
      String prefix = cache.get(key); // get and put, not computeIfAbsent's lambda: logs link none (docs/footprint.md)
      if (prefix == null) {
        prefix = resolve(nodeId, serviceId, taskId);
        cache.put(key, prefix);
      }
      return prefix;
    }

    private String resolve(String nodeId, String serviceId, String taskId) {
      String nodeName = nodeId;
      String serviceName = serviceId;
      long slot = 0;
      try {
        JsonNode t = api.getTree("/tasks/" + seg(taskId));
        slot = t.path("Slot").asLong();
        if (!noResolve) {
          nodeName = api.getTree("/nodes/" + seg(nodeId)).path("Description").path("Hostname").asText(nodeId);
          serviceName = api.getTree("/services/" + seg(serviceId)).path("Spec").path("Name").asText(serviceId);
        }
      } catch (DaemonErrorException e) {
        // removed meanwhile: keep the ids
      }
      String name = serviceName + "." + slot;
      if (!noTaskIds) {
        name += "." + (noTrunc || taskId.length() <= 12 ? taskId : taskId.substring(0, 12));
      }
      int pad = padding - digits(slot);
      return name + "@" + nodeName + (pad > 0 ? " ".repeat(pad) : "");
    }
  }
}
