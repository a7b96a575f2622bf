package io.jswarm.cli.client.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.ClientCommand;
import io.jswarm.cli.client.Filters;
import io.jswarm.cli.client.TimeArgs;
import io.jswarm.cli.client.format.GoTemplate;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm events [-f KEY=VALUE]... [--since T] [--until T] [--format json|TEMPLATE]}, as {@code docker events}:
 * streams the daemon's events, one line each, {@code <time> <type> <action> <id> (<attributes>)}.
 */
@Command(name = "events", description = "Get real time events from the daemon (swarm changes on a manager, the "
    + "node's containers).")
public final class EventsCommand extends ClientCommand {
  /** Go's {@code RFC3339NanoFixed}, which docker prints events with. */
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX");

  @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Filter output: type=service|node|"
      + "network|secret|config|container, event=create, service=NAME, node=NAME, label=K[=V], scope=swarm|local ...")
  List<String> filters = new ArrayList<>();

  @Option(names = "--since", description = "Show events created since timestamp (Unix time, RFC 3339 or a "
      + "duration such as 10m ago).")
  String since;

  @Option(names = "--until", description = "Stream events until this timestamp.")
  String until;

  @Option(names = "--format", description = "json (one object per line) or a Go template ('{{.Type}} {{.Action}}').")
  String format;

  @Override
  protected int run(ApiClient api) {
    Instant now = Instant.now();
    StringBuilder q = new StringBuilder("/events");
    List<String> params = new ArrayList<>();
    if (since != null && !since.isEmpty()) {
      params.add("since=" + TimeArgs.unix("since", since, now));
    }
    if (until != null && !until.isEmpty()) {
      params.add("until=" + TimeArgs.unix("until", until, now));
    }
    String f = Filters.parse(filters).query();
    if (!f.isEmpty()) {
      params.add(f);
    }
    if (!params.isEmpty()) {
      q.append('?').append(String.join("&", params));
    }
    GoTemplate template = format == null || format.isEmpty() || format.equals("json") ? null
        : GoTemplate.parse(format, false);
    try (ApiClient.LineStream s = api.openStream("GET", q.toString(), null)) {
      String line;
      while ((line = s.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        if ("json".equals(format)) {
          out.println(line);
        } else {
          JsonNode e = Json.fromBytes(line.getBytes(java.nio.charset.StandardCharsets.UTF_8), JsonNode.class);
          out.println(template != null ? template.render(e) : pretty(e, ZoneId.systemDefault()));
        }
        out.flush();
      }
    }
    return 0;
  }

  /** docker's {@code prettyPrintEvent}: time, type, action, actor id and the attributes sorted by key. */
  static String pretty(JsonNode e, ZoneId zone) {
    StringBuilder b = new StringBuilder();
    long nanos = e.path("timeNano").asLong();
    long secs = e.path("time").asLong();
    if (nanos != 0 || secs != 0) {
      Instant t = nanos != 0 ? Instant.ofEpochSecond(0, nanos) : Instant.ofEpochSecond(secs);
      b.append(TIME.format(t.atZone(zone))).append(' ');
    }
    b.append(e.path("Type").asText()).append(' ').append(e.path("Action").asText()).append(' ')
        .append(e.path("Actor").path("ID").asText());
    Map<String, String> attrs = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = e.path("Actor").path("Attributes").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> a = it.next();
      attrs.put(a.getKey(), a.getValue().asText());
    }
    if (!attrs.isEmpty()) {
      List<String> kv = new ArrayList<>();
      attrs.forEach((k, v) -> kv.add(k + "=" + v));
      b.append(" (").append(String.join(", ", kv)).append(')');
    }
    return b.toString();
  }
}
