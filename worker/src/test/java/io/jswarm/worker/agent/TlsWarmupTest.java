package io.jswarm.worker.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.HeartbeatRequest;
import io.jswarm.api.dispatcher.HeartbeatResponse;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.dispatcher.StatusRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TlsWarmupTest {
  private final List<String> managers = List.of("m1", "m2", "m3");
  private final AtomicLong now = new AtomicLong(1_000);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Fake transport = new Fake();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  /** Records warm calls; managers in {@code busy} find no slot, those in {@code down} fail. */
  private static final class Fake implements DispatcherTransport {
    final LinkedBlockingQueue<String> warmed = new LinkedBlockingQueue<>();
    final Set<String> busy = new HashSet<>();
    final Set<String> down = new HashSet<>();

    @Override
    public synchronized boolean warm(String managerAddr) throws IOException {
      if (down.contains(managerAddr)) {
        throw new IOException("manager " + managerAddr + " refused");
      }
      if (busy.contains(managerAddr)) {
        return false;
      }
      warmed.add(managerAddr);
      return true;
    }

    @Override
    public Session open(String managerAddr, SessionRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public HeartbeatResponse heartbeat(String managerAddr, HeartbeatRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void reportStatus(String managerAddr, StatusRequest request) {
      throw new UnsupportedOperationException();
    }
  }

  private TlsWarmup warmup(double draw) {
    return new TlsWarmup(transport, timer, Runnable::run, () -> draw, now::get);
  }

  private List<String> drain() {
    List<String> out = new ArrayList<>();
    transport.warmed.drainTo(out);
    return out;
  }

  @Test
  void aRoundWarmsEveryOtherManagerOnceUntilItsTicketIsHalfItsLifetimeOld() {
    TlsWarmup w = warmup(0);
    assertEquals(0, w.round("m1", managers), "none left cold");
    assertEquals(List.of("m2", "m3"), drain(), "not m1: the open session's own handshake left a ticket there");
    assertEquals(0, w.round("m1", managers));
    assertEquals(List.of(), drain(), "fresh: nothing to do");
    now.addAndGet(TlsWarmup.REFRESH.toNanos() - 1);
    w.round("m1", managers);
    assertEquals(List.of(), drain());
    now.addAndGet(1);
    w.round("m1", managers);
    assertEquals(List.of("m2", "m3"), drain(), "half the lifetime later: again");
  }

  @Test
  void aManagerWithoutAFreeSlotOrThatFailedIsTriedAgainAtTheNextRound() throws Exception {
    TlsWarmup w = warmup(0);
    transport.busy.add("m2");
    transport.down.add("m3");
    assertEquals(2, w.round("m1", managers), "both still cold");
    assertEquals(List.of(), drain());
    transport.busy.clear();
    transport.down.clear();
    assertEquals(0, w.round("m1", managers));
    assertEquals(List.of("m2", "m3"), drain());
    // planned rounds: one left cold comes back after a new draw within the spread (0 here), not half an hour later
    TlsWarmup planned = warmup(0);
    transport.busy.add("m3");
    planned.sessionOpened("m1", managers);
    assertEquals("m2", transport.warmed.poll(5, TimeUnit.SECONDS));
    Thread.sleep(200);
    transport.busy.clear();
    assertEquals("m3", transport.warmed.poll(5, TimeUnit.SECONDS));
    planned.close();
  }

  @Test
  void aSessionOpenPlansARoundAfterADrawWithinTheSpread() throws Exception {
    TlsWarmup w = warmup(0.01);
    long drawnMs = TlsWarmup.SPREAD.toMillis() / 100;
    long before = System.nanoTime();
    w.sessionOpened("m2", managers);
    assertEquals(List.of(), drain());
    // the draw puts the round at 1 % of the spread: nothing before that
    String first = transport.warmed.poll(drawnMs + 5_000, TimeUnit.MILLISECONDS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
    assertEquals("m1", first);
    assertEquals("m3", transport.warmed.poll(5, TimeUnit.SECONDS));
    assertTrue(tookMs >= drawnMs - 20, "the round waited for its draw: " + tookMs + " ms");
    w.close();
  }

  @Test
  void aSessionWithAnotherManagerCountsItsOwnHandshakeAndCloseStopsTheRounds() throws Exception {
    TlsWarmup w = warmup(0);
    w.sessionOpened("m3", managers);
    assertEquals("m1", transport.warmed.poll(5, TimeUnit.SECONDS));
    assertEquals("m2", transport.warmed.poll(5, TimeUnit.SECONDS));
    // the leader moved to m1: its session's handshake counts, m3 was warmed by the earlier session
    w.sessionOpened("m1", managers);
    assertEquals(null, transport.warmed.poll(300, TimeUnit.MILLISECONDS));
    w.close();
    now.addAndGet(TlsWarmup.REFRESH.toNanos());
    w.sessionOpened("m1", managers);
    assertEquals(null, transport.warmed.poll(300, TimeUnit.MILLISECONDS), "closed: no more rounds");
  }
}
