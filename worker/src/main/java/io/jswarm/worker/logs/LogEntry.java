package io.jswarm.worker.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Objects;

/**
 * One line of container output as Docker's json-file driver stores it:
 * {@code {"log":"text\n","stream":"stdout","time":"2026-01-02T03:04:05.123456789Z"}}. {@code log} keeps its
 * trailing newline (a line cut at the driver's limit has none).
 */
public record LogEntry(Instant time, String stream, String log) {
  public static final String STDOUT = "stdout";
  public static final String STDERR = "stderr";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Docker's {@code RFC3339NanoFixed}: always nine fraction digits, UTC. */
  public static final DateTimeFormatter FIXED_NANOS = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
      .appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
      .appendLiteral('Z')
      .toFormatter()
      .withZone(ZoneOffset.UTC);

  public LogEntry {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(log, "log");
  }

  public boolean isStderr() {
    return STDERR.equals(stream);
  }

  /** The json-file line for this entry, with its {@code \n}. Go's RFC3339Nano: trailing fraction zeros dropped. */
  public String toJsonLine() {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("log", log);
    o.put("stream", stream);
    o.put("time", rfc3339Nano(time));
    return o.toString() + "\n";
  }

  /** Go's {@code RFC3339Nano}: UTC, fraction without trailing zeros (none at all on a whole second). */
  public static String rfc3339Nano(Instant t) {
    String s = FIXED_NANOS.format(t);
    int dot = s.indexOf('.');
    int end = s.length() - 1; // before the Z
    int last = end;
    while (last > dot + 1 && s.charAt(last - 1) == '0') {
      last--;
    }
    if (last == dot + 1 && s.charAt(dot + 1) == '0') {
      return s.substring(0, dot) + "Z";
    }
    return s.substring(0, last) + "Z";
  }

  public byte[] toJsonBytes() {
    return toJsonLine().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses one json-file line (without or with its newline).
   *
   * @throws IOException when it is not a json-file entry (names what is wrong)
   */
  public static LogEntry parse(String line) throws IOException {
    JsonNode n = MAPPER.readTree(line);
    if (n == null || !n.isObject()) {
      throw new IOException("log line is not a JSON object: " + abbreviate(line));
    }
    JsonNode log = n.get("log");
    JsonNode time = n.get("time");
    if (log == null || time == null) {
      throw new IOException("log line lacks \"log\" or \"time\": " + abbreviate(line));
    }
    String stream = n.path("stream").asText(STDOUT);
    try {
      return new LogEntry(Instant.parse(time.asText()), stream.isEmpty() ? STDOUT : stream, log.asText());
    } catch (java.time.format.DateTimeParseException e) {
      throw new IOException("log line has a bad \"time\" (" + time.asText() + "): want RFC 3339");
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
