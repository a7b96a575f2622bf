package io.jswarm.manager.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Node;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tables;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When {@link LeaderLoop} runs passes: at start, at once for a lone write, batched when frequent, retried. */
class LeaderLoopTest {
  /** Long enough that a pass that came only after it would time the test out. */
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final long WAIT_S = 20;

  private MemoryStore store;
  private NodeCounter loop;

  /** A loop whose model is the set of node ids; each pass reports what it saw. */
  private static final class NodeCounter extends LeaderLoop {
    final Set<String> nodes = new HashSet<>();
    final BlockingQueue<Pass> passes = new LinkedBlockingQueue<>();
    final AtomicInteger failuresLeft = new AtomicInteger();
    final AtomicInteger unfinishedLeft = new AtomicInteger();
    volatile boolean writes = true;

    record Pass(boolean full, int nodes) {}

    NodeCounter(MemoryStore store, Timing timing) {
      super("test-loop", store, Clock.systemUTC(), timing);
    }

    @Override
    protected boolean interested(Event e) {
      return e.isIn(Tables.NODES);
    }

    @Override
    protected void load(ReadTx tx) {
      nodes.clear();
      tx.nodes().all().forEach(n -> nodes.add(n.id));
    }

    @Override
    protected boolean onEvent(Event e) {
      if (e.kind() == Event.Kind.DELETE) {
        nodes.remove(e.object().id);
      } else {
        nodes.add(e.object().id);
      }
      return true;
    }

    @Override
    protected boolean pass(boolean full) {
      // decide before reporting: the test changes failuresLeft as soon as it sees a pass, which must not reach it
      boolean fail = failuresLeft.getAndDecrement() > 0;
      boolean finished = fail || unfinishedLeft.getAndDecrement() <= 0;
      passes.add(new Pass(full, nodes.size()));
      if (fail) {
        throw new IllegalStateException("test failure");
      }
      return finished;
    }

    @Override
    protected boolean lastPassWrote() {
      return writes;
    }

    Pass next() throws InterruptedException {
      Pass p = passes.poll(WAIT_S, TimeUnit.SECONDS);
      assertTrue(p != null, "no pass within " + WAIT_S + " s");
      return p;
    }
  }

  @BeforeEach
  void open() {
    LocalProposer p = new LocalProposer();
    store = new MemoryStore(p, Clock.systemUTC(), IdGenerator.fromRandom(new Random(3)));
    p.bind(store);
  }

  @AfterEach
  void close() {
    if (loop != null) {
      loop.stop();
    }
    store.close();
  }

  private void addNode(String id) {
    store.update(tx -> {
      Node n = new Node();
      n.id = id;
      n.spec = new Node.Spec();
      n.spec.role = "worker";
      return tx.nodes().create(n);
    });
  }

  @Test
  void startLoadsTheModelAndRunsAFullPass() throws Exception {
    addNode("a");
    loop = new NodeCounter(store, new LeaderLoop.Timing(LONG, LONG, LONG));
    loop.start();
    assertEquals(new NodeCounter.Pass(true, 1), loop.next());
    loop.stop();
    assertTrue(!loop.isRunning());
  }

  @Test
  void aWriteAfterAQuietSpellIsHandledAtOnceNotAfterTheDebounce() throws Exception {
    Duration debounce = Duration.ofSeconds(3);
    loop = new NodeCounter(store, new LeaderLoop.Timing(debounce, LONG, LONG));
    loop.start();
    loop.next();
    Thread.sleep(debounce.toMillis() + 300); // quiet for longer than the debounce
    long t0 = System.nanoTime();
    addNode("a");
    assertEquals(new NodeCounter.Pass(false, 1), loop.next());
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(tookMs < debounce.toMillis(), "the pass came " + tookMs + " ms after the write: it waited for the "
        + "debounce instead of running at once");
  }

  @Test
  void aPassThatWroteNothingDoesNotHoldTheNextWriteBack() throws Exception {
    Duration debounce = Duration.ofSeconds(3);
    loop = new NodeCounter(store, new LeaderLoop.Timing(debounce, LONG, LONG));
    loop.writes = false;
    loop.start();
    loop.next(); // wrote nothing
    long t0 = System.nanoTime();
    addNode("a"); // within the debounce after that pass
    assertEquals(new NodeCounter.Pass(false, 1), loop.next());
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(tookMs < debounce.toMillis(), "the pass came " + tookMs + " ms after the write: a pass that wrote "
        + "nothing held it back for the debounce");
  }

  @Test
  void writesWhilePassesAreFrequentWaitForTheQuietTimeAndBecomeOnePass() throws Exception {
    loop = new NodeCounter(store, new LeaderLoop.Timing(Duration.ofSeconds(2), LONG, LONG));
    loop.start();
    loop.next(); // the full pass at start: the next writes come within the debounce after it
    for (int i = 0; i < 5; i++) {
      addNode("n" + i);
    }
    List<NodeCounter.Pass> seen = new ArrayList<>();
    do {
      seen.add(loop.next());
    } while (seen.get(seen.size() - 1).nodes() < 5);
    assertEquals(1, seen.size(), "one pass for the burst, not one per write: " + seen);
  }

  @Test
  void aPassThatLeftWorkIsRetriedWithoutAnEventAndAFailedOneIsRetriedFull() throws Exception {
    loop = new NodeCounter(store, new LeaderLoop.Timing(Duration.ofMillis(10), Duration.ofMillis(100),
        Duration.ofMillis(50)));
    loop.unfinishedLeft.set(1);
    loop.start();
    assertEquals(new NodeCounter.Pass(true, 0), loop.next());
    assertEquals(new NodeCounter.Pass(false, 0), loop.next(), "retried after the retry delay");

    loop.failuresLeft.set(1);
    addNode("a");
    assertEquals(new NodeCounter.Pass(false, 1), loop.next());
    assertEquals(new NodeCounter.Pass(true, 1), loop.next(), "a pass that threw is retried as a full pass");
    Thread.sleep(200);
    assertEquals(0, loop.passes.size(), "nothing more to do: no more passes");
  }
}
