package io.jswarm.consensus.store;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.StoreObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The cluster store: seven in-memory tables, replicated by whatever {@link Proposer} it is given.
 *
 * <p>Writes: {@link #update} runs a closure against a transaction, collapses its writes into one batch and
 * proposes it; the batch changes the tables only when it comes back through {@link #apply}, which is the one
 * mutation path and runs identically on every manager. Apply re-checks every compare-and-set and unique name,
 * so two managers racing on the same row can never both win.
 *
 * <p>Reads: {@link #view} is linearizable (it waits for a Raft read index first); {@link #viewStale} reads
 * whatever this manager has applied. {@link #viewAndWatch} pairs a read with a {@link Watch} that receives every
 * later change.
 *
 * <p>Concurrency: the tables are persistent ({@link Table}): each applied batch makes a new immutable version of
 * the tables it changes and publishes it, with its index, in one volatile write. A read or a transaction takes the
 * current version and works on it without any lock, however long it takes; the apply thread never waits for a
 * reader, so a linearizable read waits for its read index only, never behind another reader.
 */
public final class MemoryStore implements StoreApplier, AutoCloseable {
  private final Proposer proposer;
  private final Clock clock;
  private final IdGenerator ids;
  /** Serializes the writers of {@link #state}: apply, skip and snapshot restore. */
  private final Object applyLock = new Object();
  /** Held to publish a new state with its events, and to open a watch on a state: nothing falls in between. */
  private final Object publishLock = new Object();
  private final Set<Watch> watches = new CopyOnWriteArraySet<>();
  private final ConcurrentSkipListMap<Long, CompletableFuture<Void>> appliedWaiters = new ConcurrentSkipListMap<>();
  /** Completes apply waiters off the apply thread, so a waiter's continuation can never stall Raft apply. */
  private final ExecutorService notifier = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "store-notify");
    t.setDaemon(true);
    return t;
  });
  /** The tables as of {@link State#index}: immutable, replaced as a whole by each apply. */
  private volatile State state;

  /** One applied version of every table. */
  private record State(Map<TableSpec<?>, Table<?>> tables, long index) {}

  public MemoryStore(Proposer proposer, Clock clock, IdGenerator ids) {
    this.proposer = Objects.requireNonNull(proposer, "proposer");
    this.clock = clock;
    this.ids = ids;
    state = new State(emptyTables(), 0);
  }

  private static Map<TableSpec<?>, Table<?>> emptyTables() {
    Map<TableSpec<?>, Table<?>> tables = new LinkedHashMap<>();
    for (TableSpec<?> t : Tables.ALL) {
      tables.put(t, newTable(t));
    }
    return tables;
  }

  private static <T extends StoreObject> Table<T> newTable(TableSpec<T> spec) {
    return new Table<>(spec);
  }

  // ---- reads ----

  /** One debug line per linearizable read: how long it waited for its barrier (docs/scale.md, twelfth round). */
  private static final org.slf4j.Logger READ_TIMING = org.slf4j.LoggerFactory.getLogger("io.jswarm.consensus.ReadTiming");

  /** Set while {@link #allowingStaleReads} runs: {@link #view} then skips its read barrier. */
  private static final ThreadLocal<Boolean> STALE_READS = ThreadLocal.withInitial(() -> Boolean.FALSE);

  /** Code that reads through {@link #view} (a route) but may be answered without a read barrier. */
  public interface StaleReadable<T> {
    T run() throws Exception;
  }

  /**
   * Runs {@code body} with every {@link #view} on this thread reading this manager's applied state without a
   * read barrier: for answers that are labelled as possibly stale (a manager without quorum still answers reads).
   */
  public static <T> T allowingStaleReads(StaleReadable<T> body) throws Exception {
    boolean was = STALE_READS.get();
    STALE_READS.set(Boolean.TRUE);
    try {
      return body.run();
    } finally {
      STALE_READS.set(was);
    }
  }

  /** A linearizable read: sees every write committed before the call. */
  public <R> R view(Function<ReadTx, R> fn) {
    if (!STALE_READS.get()) {
      if (READ_TIMING.isDebugEnabled()) {
        long t0 = System.nanoTime();
        join(proposer.readBarrier());
        READ_TIMING.debug("read barrier {} us", (System.nanoTime() - t0) / 1000);
      } else {
        join(proposer.readBarrier());
      }
    }
    return viewStale(fn);
  }

  /** A local read of what this manager has applied; may lag the leader. Takes no lock. */
  public <R> R viewStale(Function<ReadTx, R> fn) {
    State s = state;
    return fn.apply(new TxImpl(s.tables(), s.index(), false, this::now, ids));
  }

  /**
   * A local read plus a watch receiving every change applied after it. {@code filter} selects row events
   * (commit events always pass); it sees the stored rows and must not modify them. Each event polled carries the
   * watch's own copies of the rows.
   */
  public <R> WatchedView<R> viewAndWatch(Function<ReadTx, R> fn, Predicate<Event> filter) {
    return viewAndWatch(fn, filter, false);
  }

  /**
   * {@link #viewAndWatch(Function, Predicate)}; with {@code sharedRows} the events polled carry the stored rows
   * themselves: no copy per event, for a watcher that only reads them and never changes one (the leader's loops,
   * whose models then share the store's rows instead of holding copies).
   */
  public <R> WatchedView<R> viewAndWatch(Function<ReadTx, R> fn, Predicate<Event> filter, boolean sharedRows) {
    State s;
    Watch w;
    synchronized (publishLock) {
      s = state;
      Watch[] holder = new Watch[1];
      w = new Watch(filter, () -> watches.remove(holder[0]), sharedRows);
      holder[0] = w;
      watches.add(w);
    }
    try {
      return new WatchedView<>(fn.apply(new TxImpl(s.tables(), s.index(), false, this::now, ids)), w);
    } catch (RuntimeException e) {
      w.close();
      throw e;
    }
  }

  /** A watch on every later change matching {@code filter}. */
  public Watch watch(Predicate<Event> filter) {
    return viewAndWatch(tx -> null, filter).watch();
  }

  // ---- writes ----

  /**
   * Runs {@code fn} in a transaction and proposes its writes as one batch; returns {@code fn}'s result once
   * the batch is committed and applied here. Nothing is proposed when {@code fn} writes nothing.
   * {@code fn} reads one applied version of the tables (no lock: applies go on meanwhile; apply re-checks every
   * compare-and-set); it should not call {@code update} itself.
   *
   * @throws ConflictException stale version or name taken (found now or when the batch was applied)
   * @throws io.jswarm.api.errors.NotFoundException a row to change is gone
   * @throws UnavailableException no quorum or no leader within the write timeout
   */
  public <R> R update(Function<Tx, R> fn) {
    return join(updateAsync(fn));
  }

  /** Asynchronous {@link #update}; failures complete the future with a {@link JswarmException}. */
  public <R> CompletableFuture<R> updateAsync(Function<Tx, R> fn) {
    TxImpl tx;
    R result;
    try {
      State s = state;
      tx = new TxImpl(s.tables(), s.index(), true, this::now, ids);
      result = fn.apply(tx);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!tx.hasChanges()) {
      return CompletableFuture.completedFuture(result);
    }
    byte[] batch = ChangeBatch.encode(tx.changes());
    return proposer.propose(batch).thenApply(r -> {
      if (!r.isOk()) {
        throw r.error();
      }
      return result;
    });
  }

  /**
   * Runs each of {@code fns} in its own transaction and proposes its batch without waiting for the batches before it
   * to commit (at most {@code maxInFlight} uncommitted at a time; this call blocks for the oldest beyond that). On a
   * group of managers the batches proposed while an entry is in flight travel together as the next Raft entry (group
   * commit), so a loop that writes 10,000 rows in batches of 200 waits for a few commits instead of fifty in a row.
   * Each transaction reads the tables as applied when it runs, without the writes of the batches still in flight:
   * the batches must change disjoint rows (a row changed by two of them makes the second conflict). Returns each
   * batch's outcome in order, for {@link #await}: its result, or the exception {@link #update} would have thrown.
   */
  public <R> List<CompletableFuture<R>> updateEach(List<? extends Function<Tx, R>> fns, int maxInFlight) {
    List<CompletableFuture<R>> out = new ArrayList<>(fns.size());
    for (Function<Tx, R> fn : fns) {
      if (out.size() >= maxInFlight) {
        out.get(out.size() - maxInFlight).exceptionally(t -> null).join();
      }
      out.add(updateAsync(fn));
    }
    return out;
  }

  /** The result of an {@link #updateAsync}, waited for: what {@link #update} returns or throws. */
  public static <R> R await(CompletableFuture<R> f) {
    return join(f);
  }

  // ---- the deterministic apply path ----

  @Override
  public ApplyResult apply(long index, byte[] batch) {
    return applyAll(index, List.of(ChangeBatch.decode(batch))).get(0);
  }

  /**
   * {@inheritDoc} The tables, their index and the watchers' events are published once, after the last batch: the
   * batches that succeeded are one commit at {@code index}, as the rows of one batch are.
   */
  @Override
  public List<ApplyResult> applyGroup(long index, List<byte[]> batches) {
    List<List<Change>> decoded = new ArrayList<>(batches.size());
    for (byte[] b : batches) {
      decoded.add(ChangeBatch.decode(b));
    }
    return applyAll(index, decoded);
  }

  /** Checks and applies each batch on its own, in order, all at {@code index}; publishes once. */
  private List<ApplyResult> applyAll(long index, List<List<Change>> batches) {
    List<ApplyResult> results = new ArrayList<>(batches.size());
    List<Event> events = new ArrayList<>();
    synchronized (applyLock) {
      Map<TableSpec<?>, Table<?>> tables = state.tables();
      boolean copied = false;
      for (List<Change> changes : batches) {
        ApplyResult result = ChangeApply.check(tables, index, changes);
        results.add(result);
        if (!result.isOk()) {
          continue;
        }
        if (!copied) {
          tables = new LinkedHashMap<>(tables);
          copied = true;
        }
        for (Change c : changes) {
          events.add(ChangeApply.mutate(tables, index, c));
        }
      }
      if (copied) {
        events.add(Event.commit(index));
      }
      synchronized (publishLock) {
        state = new State(tables, index);
        publish(events);
      }
    }
    notifyApplied(index);
    return results;
  }

  @Override
  public void skip(long index) {
    synchronized (applyLock) {
      State s = state;
      if (index > s.index()) {
        synchronized (publishLock) {
          state = new State(s.tables(), index);
        }
      }
    }
    notifyApplied(index);
  }

  /**
   * Hands each watch the events it accepts. The events carry the stored rows, which never change once stored; a
   * watch copies them when it polls, on its own thread (or reads them shared): the apply thread copies nothing.
   */
  private void publish(List<Event> events) {
    if (watches.isEmpty()) {
      return;
    }
    List<Event> accepted = new ArrayList<>(events.size());
    List<Watch> fed = new ArrayList<>();
    for (Watch w : watches) {
      accepted.clear();
      for (Event e : events) {
        if (w.accepts(e)) {
          accepted.add(e);
        }
      }
      if (!accepted.isEmpty()) {
        w.offerAll(accepted);
        fed.add(w);
      }
    }
    if (!fed.isEmpty()) {
      try {
        notifier.execute(() -> fed.forEach(Watch::wake));
      } catch (RejectedExecutionException closed) {
        fed.forEach(Watch::wake);
      }
    }
  }

  private void notifyApplied(long index) {
    if (appliedWaiters.isEmpty()) {
      return;
    }
    Map<Long, CompletableFuture<Void>> done = appliedWaiters.headMap(index, true);
    List<CompletableFuture<Void>> ready = new ArrayList<>(done.values());
    done.clear();
    if (!ready.isEmpty()) {
      try {
        notifier.execute(() -> ready.forEach(f -> f.complete(null)));
      } catch (RejectedExecutionException closed) {
        ready.forEach(f -> f.complete(null));
      }
    }
  }

  @Override
  public long appliedIndex() {
    return state.index();
  }

  @Override
  public CompletableFuture<Void> awaitApplied(long index) {
    if (state.index() >= index) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = appliedWaiters.computeIfAbsent(index, i -> new CompletableFuture<>());
    if (state.index() >= index) { // applied while registering
      appliedWaiters.remove(index, f);
      f.complete(null);
    }
    return f;
  }

  /** Stops the notifier thread; pending waiters are left incomplete. */
  @Override
  public void close() {
    notifier.shutdown();
  }

  /** An executor for work that must not run on the apply thread. */
  public Executor notifier() {
    return notifier;
  }

  // ---- snapshots ----

  /**
   * Writes {@code {"appliedIndex": N, "tables": {"nodes": [...], ...}}} with rows sorted by id; the same state
   * always gives the same bytes, which is what {@link #contentHash} relies on.
   */
  @Override
  public void writeSnapshot(OutputStream out) throws IOException {
    SnapshotCodec.write(state.tables(), state.index(), out); // one immutable version: applies go on meanwhile
  }

  @Override
  public void restoreSnapshot(InputStream in) throws IOException {
    Map<TableSpec<?>, Table<?>> fresh = emptyTables();
    long index = SnapshotCodec.read(in, fresh);
    List<Watch> ended;
    synchronized (applyLock) {
      synchronized (publishLock) {
        state = new State(fresh, index);
        ended = List.copyOf(watches);
      }
    }
    String reason = "the store was replaced by a snapshot at index " + index + "; watch again";
    ended.forEach(w -> w.closeWith(reason));
    notifyApplied(index);
  }

  /** SHA-256 of every table's content (not of the applied index): equal on managers with equal state. */
  public String contentHash() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (OutputStream out = new java.security.DigestOutputStream(OutputStream.nullOutputStream(), md)) {
        SnapshotCodec.write(state.tables(), -1, out);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException | IOException e) {
      throw new IllegalStateException("cannot hash the store", e);
    }
  }

  /** Number of rows in {@code table}, read locally. */
  public int count(TableSpec<?> table) {
    return viewStale(tx -> tx.table(table).count());
  }

  private String now() {
    return clock.instant().toString();
  }

  /** Waits for a store future and rethrows its failure as the typed error it carries. */
  static <R> R join(CompletableFuture<R> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting for the cluster store", e);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  static RuntimeException unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof RuntimeException r) {
      return r;
    }
    return new UnavailableException("cluster store failure: " + t, t);
  }
}
