package io.jswarm.worker.logs;

import java.time.Instant;

/**
 * What to read, with Docker's meanings: which streams; {@code tail} the last N lines of the whole log (all
 * rotations, both streams, before the other filters, as dockerd counts them; negative = all); {@code since} and
 * {@code until} bounds on the line time (inclusive since, exclusive until; null = open); {@code follow} keeps
 * reading new lines until the task is done.
 */
public record LogQuery(boolean stdout, boolean stderr, int tail, Instant since, Instant until, boolean follow) {
  public static LogQuery all() {
    return new LogQuery(true, true, -1, null, null, false);
  }

  /** Whether {@code e} passes the stream and time filters. */
  public boolean accepts(LogEntry e) {
    if (e.isStderr() ? !stderr : !stdout) {
      return false;
    }
    if (since != null && e.time().isBefore(since)) {
      return false;
    }
    return until == null || e.time().isBefore(until);
  }
}
