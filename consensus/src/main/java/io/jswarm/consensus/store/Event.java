package io.jswarm.consensus.store;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.StoreObject;

/**
 * A change seen by a {@link Watch}: one row created, updated or deleted at Raft index {@code index}, or a
 * {@link Kind#COMMIT} marking the end of one applied batch (handy to debounce work, as swarmkit does).
 * {@code object} is the row after the change (for deletes: the row that was removed); {@code old} is the row
 * before an update. A watch gets either its own copies of the rows, made on its own thread when it first asks for
 * them (a watcher that never looks at {@code old}, most never do, does not pay for it), or, when it was opened with
 * shared rows ({@link MemoryStore#viewAndWatch(java.util.function.Function, java.util.function.Predicate, boolean)}),
 * the stored rows themselves, read-only. An event belongs to the thread that polled it.
 */
public final class Event {
  public enum Kind {
    CREATE,
    UPDATE,
    DELETE,
    COMMIT
  }

  private final Kind kind;
  private final long index;
  private final TableSpec<? extends StoreObject> table;
  private StoreObject object;
  private StoreObject old;
  /** Stored rows not copied yet for this event's watcher (null once copied, or when it reads them shared). */
  private StoreObject objectToCopy;
  private StoreObject oldToCopy;

  public Event(Kind kind, long index, TableSpec<? extends StoreObject> table, StoreObject object, StoreObject old) {
    this.kind = kind;
    this.index = index;
    this.table = table;
    this.object = object;
    this.old = old;
  }

  /**
   * This event as one watcher polls it: with the stored rows themselves ({@code shared}, read-only), or with copies
   * of them made on first use, on the polling thread, not on the apply thread that published the event.
   */
  Event forWatcher(boolean shared) {
    if (shared || isCommit()) {
      return this;
    }
    Event e = new Event(kind, index, table, null, null);
    e.objectToCopy = object;
    e.oldToCopy = old;
    return e;
  }

  static Event commit(long index) {
    return new Event(Kind.COMMIT, index, null, null, null);
  }

  public Kind kind() {
    return kind;
  }

  public long index() {
    return index;
  }

  public TableSpec<? extends StoreObject> table() {
    return table;
  }

  /** The row after the change (for deletes: the removed row); null for commits. */
  public StoreObject object() {
    if (objectToCopy != null) {
      object = Json.copy(objectToCopy);
      objectToCopy = null;
    }
    return object;
  }

  /** The row before an update, or null. */
  public StoreObject old() {
    if (oldToCopy != null) {
      old = Json.copy(oldToCopy);
      oldToCopy = null;
    }
    return old;
  }

  public boolean isCommit() {
    return kind == Kind.COMMIT;
  }

  /** True when this event is about a row of {@code t}. */
  public boolean isIn(TableSpec<?> t) {
    return table == t;
  }

  /** The row, cast to the table's type. */
  public <T extends StoreObject> T as(TableSpec<T> t) {
    if (table != t) {
      throw new IllegalArgumentException("event is about " + table + ", not " + t);
    }
    return t.type().cast(object());
  }

  @Override
  public String toString() {
    return "Event[" + kind + " " + (table == null ? "" : table.name() + " ") + index + "]";
  }
}
