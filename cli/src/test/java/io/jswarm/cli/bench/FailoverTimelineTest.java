package io.jswarm.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The failover's steps are read from the managers' log lines, relative to the kill, and split into parts. */
class FailoverTimelineTest {
  private static final Instant KILL = Instant.parse("2026-12-08T03:44:03.819Z");

  @Test
  void stepsAreTheFailoverLinesAfterTheKillInSecondsAndTheirParts() {
    List<String> m3 = List.of(
        "2026-12-08T03:44:02.000+0000 [x] INFO io.jswarm.consensus.raft.RaftNode - Raft member a learned the leader: b",
        "2026-12-08T03:44:04.168+0000 [p] INFO io.jswarm.consensus.raft.DeadLeaderProbe - Raft member a: its leader b"
            + " (term 1) is gone: 127.0.0.1:29903 refuses connections, 422 ms since it was last heard; starting",
        "2026-12-08T03:44:04.170+0000 [p] INFO io.jswarm.worker.agent.Agent - session with manager failed",
        "    at some.Frame(Frame.java:1)",
        "2026-12-08T03:44:04.697+0000 [e] INFO io.jswarm.consensus.raft.RaftNode - Raft member a learned the leader:"
            + " this member",
        "2026-12-08T03:44:05.527+0000 [u] INFO io.jswarm.consensus.raft.RaftNode - Raft member a is the ready leader:"
            + " its term's first entry (1574) is applied",
        "2026-12-08T03:44:09.000+0000 [u] INFO io.jswarm.consensus.raft.RaftNode - Raft member a learned the leader: c");
    List<FailoverTimeline.Step> steps = FailoverTimeline.parse("m3", m3, KILL, 3.0);
    assertEquals(3, steps.size(), steps.toString());
    assertEquals(0.349, steps.get(0).seconds(), 1e-9);
    assertEquals("m3", steps.get(0).manager());
    assertEquals("RaftNode: Raft member a learned the leader: this member", steps.get(1).text());
    FailoverTimeline.Parts p = FailoverTimeline.parts(steps);
    assertEquals(0.349, p.gone(), 1e-9);
    assertEquals(0.878, p.elected(), 1e-9);
    assertEquals(1.708, p.ready(), 1e-9);
  }

  @Test
  void aPartNotLoggedIsMinusOne() {
    FailoverTimeline.Parts p = FailoverTimeline.parts(List.of(
        new FailoverTimeline.Step(0.5, "m2", "RaftNode: Raft member x learned the leader: this member")));
    assertEquals(-1, p.gone());
    assertEquals(0.5, p.elected());
    assertEquals(-1, p.ready());
  }
}
