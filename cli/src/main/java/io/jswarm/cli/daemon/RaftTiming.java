package io.jswarm.cli.daemon;

import io.jswarm.api.types.Swarm;
import io.jswarm.transport.disk.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The election timeout of this manager's Raft member: the cluster's {@code Spec.Raft.ElectionTick} (ticks of
 * {@value Swarm.Raft#TICK_MILLIS} ms), which a Raft member takes only when it starts (Apache Ratis reads its
 * timeouts once per member). So each manager keeps the value it last saw in {@code <data-root>/swarm/election-tick}:
 * written at {@code swarm init} (the init spec), at a manager's join (the join answer), and whenever its store shows
 * the cluster's spec with another value ({@code swarm update}, {@link #follow}); read when the member starts. A
 * change therefore takes effect on each manager at its next daemon start.
 */
final class RaftTiming {
  private static final Logger LOG = LoggerFactory.getLogger(RaftTiming.class);

  private final Path dataRoot;
  private final long running;

  private RaftTiming(Path dataRoot, long running) {
    this.dataRoot = dataRoot;
    this.running = running;
  }

  /** What the member about to start uses: the saved tick, or the default. */
  static RaftTiming atStart(Path dataRoot) throws IOException {
    Long saved = load(dataRoot);
    return new RaftTiming(dataRoot, saved == null ? Swarm.Raft.DEFAULT_ELECTION_TICK : saved);
  }

  /** The election timeout's lower bound (Ratis draws it between this and twice this). */
  Duration electionTimeoutMin() {
    return electionTimeoutMin(running);
  }

  static Duration electionTimeoutMin(long electionTick) {
    return Duration.ofMillis(electionTick * Swarm.Raft.TICK_MILLIS);
  }

  /** The tick a spec asks for (null fields: the default). */
  static long electionTick(Swarm.Spec spec) {
    return Swarm.Raft.electionTickOrDefault(spec == null || spec.raft == null ? null : spec.raft.electionTick);
  }

  /** Saves the tick of the cluster's spec as this store shows it, if it differs from what is saved. */
  void follow(Swarm.Spec spec) {
    long wanted = electionTick(spec);
    try {
      Long saved = load(dataRoot);
      if (saved != null && saved == wanted) {
        return;
      }
      save(dataRoot, wanted);
      if (wanted != running) {
        LOG.info("the cluster's Spec.Raft.ElectionTick is {} ({} ms); this manager's Raft member runs with {} ({} ms) "
            + "and takes the new value at its next start", wanted, electionTimeoutMin(wanted).toMillis(), running,
            electionTimeoutMin().toMillis());
      }
    } catch (IOException e) {
      LOG.warn("could not save the cluster's election tick in {} (will retry): {}", file(dataRoot), e.toString());
    }
  }

  static Path file(Path dataRoot) {
    return dataRoot.resolve("swarm").resolve("election-tick");
  }

  static Long load(Path dataRoot) throws IOException {
    Path f = file(dataRoot);
    if (!Files.exists(f)) {
      return null;
    }
    String text = Files.readString(f).trim();
    try {
      long v = Long.parseLong(text);
      if (v >= Swarm.Raft.MIN_ELECTION_TICK && v <= Swarm.Raft.MAX_ELECTION_TICK) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    LOG.warn("{} holds \"{}\", not an election tick in {}..{}: using the default ({})", f, text,
        Swarm.Raft.MIN_ELECTION_TICK, Swarm.Raft.MAX_ELECTION_TICK, Swarm.Raft.DEFAULT_ELECTION_TICK);
    return null;
  }

  /** Writes crash-safe ({@link DurableFiles#replace}); null removes the file (the default applies). */
  static void save(Path dataRoot, Long electionTick) throws IOException {
    Path f = file(dataRoot);
    if (electionTick == null) {
      Files.deleteIfExists(f);
      return;
    }
    Files.createDirectories(f.getParent());
    DurableFiles.replace(f, (electionTick + "\n").getBytes(StandardCharsets.UTF_8), true);
  }
}
