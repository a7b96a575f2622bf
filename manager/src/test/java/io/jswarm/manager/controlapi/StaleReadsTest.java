package io.jswarm.manager.controlapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.consensus.store.ApplyResult;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Proposer;
import io.jswarm.consensus.store.Tables;
import io.jswarm.transport.http.Handler;
import io.jswarm.transport.http.HttpResponse;
import java.time.Clock;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Reads on a manager without quorum answer its own state, marked stale; with quorum they are not marked. */
class StaleReadsTest {
  /** A store whose linearizable reads fail like a manager without quorum (or not, with {@code quorum}). */
  private static MemoryStore store(boolean quorum) {
    LocalProposer local = new LocalProposer();
    Proposer p = new Proposer() {
      @Override
      public CompletableFuture<ApplyResult> propose(byte[] batch) {
        return local.propose(batch);
      }

      @Override
      public CompletableFuture<Void> readBarrier() {
        return quorum ? CompletableFuture.completedFuture(null)
            : CompletableFuture.failedFuture(new UnavailableException("no quorum: the read was not committed"));
      }
    };
    MemoryStore s = new MemoryStore(p, Clock.systemUTC(), IdGenerator.fromRandom(new Random(1)));
    local.bind(s);
    return s;
  }

  private static HttpResponse call(MemoryStore store, String leader, Handler h) throws Exception {
    FakeLifecycle life = new FakeLifecycle(store);
    life.view = new SwarmLifecycle.ClusterView(leader, Map.of("m1", "10.0.0.1:2378", "m2", "10.0.0.2:2378"),
        Set.of("m1"));
    return new StaleReads(new ManagerGate(life)).wrap(h).handle(null);
  }

  @Test
  void aManagerThatKnowsNoLeaderAnswersFromItsStateMarkedStaleAtOnce() throws Exception {
    MemoryStore s = store(false);
    HttpResponse r = call(s, null, req -> HttpResponse.ok(s.view(tx -> tx.table(Tables.SECRETS).count())));
    assertEquals(200, r.status);
    assertTrue(r.headers.get(StaleReads.HEADER).contains("knows no leader"), r.headers.toString());
  }

  @Test
  void aReadIndexWithoutQuorumFallsBackToAStaleAnswer() throws Exception {
    MemoryStore s = store(false);
    HttpResponse r = call(s, "m1", req -> HttpResponse.ok(s.view(tx -> tx.table(Tables.SECRETS).count())));
    assertEquals(200, r.status);
    assertTrue(r.headers.get(StaleReads.HEADER).contains("no quorum"), r.headers.toString());
  }

  @Test
  void aNotFoundReadWithoutQuorumIsMarkedStaleToo() throws Exception {
    MemoryStore s = store(false);
    HttpResponse r = call(s, null, req -> {
      throw new NotFoundException("service nem1 not found");
    });
    assertEquals(404, r.status);
    assertTrue(r.headers.containsKey(StaleReads.HEADER), "a stale 404 says so: " + r.headers);
  }

  @Test
  void withQuorumReadsAreLinearizableAndUnmarked() throws Exception {
    MemoryStore s = store(true);
    HttpResponse r = call(s, "m1", req -> HttpResponse.ok(s.view(tx -> tx.table(Tables.SECRETS).count())));
    assertFalse(r.headers.containsKey(StaleReads.HEADER));
  }
}
