package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.types.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Read-modify-write from many threads with retry on conflict: compare-and-set must neither lose an increment
 * nor let two writers win from the same version. Checks invariants, never timing; the seed fixes ids and each
 * thread's yields, so a failure names the seed that reproduces its shape.
 */
class ConcurrentWritersTest {
  private static final long SEED = 20260101L;
  private static final int THREADS = 8;
  private static final int INCREMENTS = 200;

  @Test
  void concurrentIncrementsWithRetryLoseNothing() throws Exception {
    MemoryStore s = localStore(new TestClock(Fixtures.T0), SEED);
    String id = s.update(tx -> tx.services().create(service("counter")).id);
    AtomicLong lastIndexTouchingIt = new AtomicLong(1);
    AtomicLong conflicts = new AtomicLong();
    AtomicLong commits = new AtomicLong();
    Watch w = s.watch(e -> e.isIn(Tables.SERVICES));

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        Random random = new Random(SEED + t);
        done.add(pool.submit(() -> {
          for (int i = 0; i < INCREMENTS; i++) {
            while (true) {
              try {
                s.update(tx -> {
                  Service svc = tx.services().get(id);
                  long n = Long.parseLong(svc.spec.labels.getOrDefault("count", "0"));
                  if (random.nextInt(4) == 0) {
                    Thread.yield(); // widen the window between read and propose
                  }
                  svc.spec.labels.put("count", Long.toString(n + 1));
                  return tx.services().update(svc);
                });
                break;
              } catch (ConflictException e) {
                conflicts.incrementAndGet();
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    Service svc = s.viewStale(tx -> tx.services().get(id));
    assertEquals(Integer.toString(THREADS * INCREMENTS), svc.spec.labels.get("count"));

    long previousCount = 0;
    for (Event e = w.poll(); e != null; e = w.poll()) {
      if (e.isCommit()) {
        commits.incrementAndGet();
        continue;
      }
      assertEquals(Event.Kind.UPDATE, e.kind());
      long count = Long.parseLong(((Service) e.object()).spec.labels.get("count"));
      assertEquals(previousCount + 1, count, "each applied update adds exactly one, in log order");
      assertEquals(Long.toString(previousCount),
          ((Service) e.old()).spec.labels.getOrDefault("count", "0"));
      previousCount = count;
      lastIndexTouchingIt.set(e.index());
    }
    assertEquals(THREADS * INCREMENTS, previousCount);
    assertEquals(lastIndexTouchingIt.get(), svc.versionIndex(), "version is the last index that changed it");
    assertEquals(THREADS * INCREMENTS, commits.get(), "one commit per successful update");
    assertTrue(s.appliedIndex() >= 1 + THREADS * INCREMENTS,
        "rejected batches also consume an index: " + s.appliedIndex());
    assertTrue(s.appliedIndex() - 1 - THREADS * INCREMENTS <= conflicts.get(),
        "every index beyond the successful writes is a conflict some writer saw");
  }
}
