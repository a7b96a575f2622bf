package io.jswarm.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steps of a leader failover as the surviving managers logged them, in seconds after the kill: the dead leader
 * found gone, elections started, votes held, the leader learned, the new leader ready, its dispatcher started, requests
 * in flight sent to it (and, with {@code -Dorg.slf4j.simpleLogger.log.org.apache.ratis=info}, Ratis' role changes
 * and election rounds). With the bench's own times (the first write's read and update, the failed attempts) they
 * split the time to the first write into detection, election, the new leader's start and the client (docs/scale.md,
 * <i>Failover</i>).
 */
final class FailoverTimeline {
  /** A manager's log line: simplelogger's date (yyyy-MM-dd'T'HH:mm:ss.SSSZ), the thread, the level, logger, text. */
  private static final Pattern LINE =
      Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}[+-]\\d{4}) \\[[^\\]]*\\] (\\w+) (\\S+) - (.*)$");
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
  /** What a failover step's line says (logger's simple name or a part of the text). */
  private static final List<Pattern> STEPS = List.of(
      Pattern.compile("is gone: .* refuses connections"),
      Pattern.compile("started an election|could not start an election|leaves the election to its timer"),
      Pattern.compile("holding a granted vote"),
      Pattern.compile("learned the leader"),
      Pattern.compile("is the ready leader"),
      Pattern.compile("dispatcher started"),
      Pattern.compile("request\\(s\\) in flight sent there"),
      Pattern.compile("stepping down"),
      Pattern.compile("changes role from"),
      Pattern.compile("(PRE_VOTE|ELECTION) round \\d+: result"));

  /** One step: seconds after the kill, the manager and what it logged. */
  record Step(double seconds, String manager, String text) { }

  /**
   * When (seconds after the kill; -1: not logged) a survivor first found the leader gone (its probe, or a role change
   * to candidate when its timer came first), the first survivor learned it leads, and the new leader was ready.
   */
  record Parts(double gone, double elected, double ready) { }

  private FailoverTimeline() { }

  /** The parts of a failover among its steps; the new leader is the first that learned it leads. */
  static Parts parts(List<Step> steps) {
    double gone = -1;
    double elected = -1;
    double ready = -1;
    String leader = null;
    for (Step s : steps) {
      if (gone < 0 && (s.text().contains(" is gone: ") || s.text().contains("to CANDIDATE"))) {
        gone = s.seconds();
      }
      if (elected < 0 && s.text().contains("learned the leader: this member")) {
        elected = s.seconds();
        leader = s.manager();
      }
      if (ready < 0 && s.manager().equals(leader) && s.text().contains("is the ready leader")) {
        ready = s.seconds();
      }
    }
    return new Parts(gone, elected, ready);
  }

  /** The steps logged in {@code logs} (manager name to log file) from {@code killedAt} until {@code untilSeconds}. */
  static List<Step> read(Map<String, Path> logs, Instant killedAt, double untilSeconds) {
    List<Step> out = new ArrayList<>();
    logs.forEach((manager, file) -> {
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (IOException | java.io.UncheckedIOException e) {
        return;
      }
      out.addAll(parse(manager, lines, killedAt, untilSeconds));
    });
    out.sort(Comparator.comparingDouble(Step::seconds));
    return out;
  }

  /** The steps among one manager's log lines. */
  static List<Step> parse(String manager, List<String> lines, Instant killedAt, double untilSeconds) {
    List<Step> out = new ArrayList<>();
    for (String line : lines) {
      Matcher m = LINE.matcher(line);
      if (!m.matches() || STEPS.stream().noneMatch(p -> p.matcher(m.group(4)).find())) {
        continue;
      }
      Instant at;
      try {
        at = OffsetDateTime.parse(m.group(1), DATE).toInstant();
      } catch (DateTimeParseException e) {
        continue;
      }
      double s = (at.toEpochMilli() - killedAt.toEpochMilli()) / 1e3;
      if (s >= 0 && s <= untilSeconds) {
        String logger = m.group(3);
        String text = logger.substring(logger.lastIndexOf('.') + 1) + ": " + m.group(4);
        out.add(new Step(s, manager, text.length() > 150 ? text.substring(0, 150) + "..." : text));
      }
    }
    return out;
  }
}
