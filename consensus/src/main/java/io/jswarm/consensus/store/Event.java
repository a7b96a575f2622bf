package io.jswarm.consensus.store;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.StoreObject;

/**
 * A change seen by a {@link Watch}: one row created, updated or deleted at Raft index {@code index}, or a
 * {@link Kind#COMMIT} marking the end of one applied batch (handy to debounce work, as swarmkit does).
 * {@code object} is the row after the change (for deletes: the row that was removed); {@code old} is the row
 * before an update. Each watcher gets its own copies, decoded when first asked for: a watcher that never looks at
 * {@code old} (most never do) does not pay for it. An event belongs to the thread that polled it.
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
  /** Encoded rows not decoded yet (null once decoded, or when the event was made from rows). */
  private byte[] objectBytes;
  private byte[] oldBytes;

  public Event(Kind kind, long index, TableSpec<? extends StoreObject> table, StoreObject object, StoreObject old) {
    this.kind = kind;
    this.index = index;
    this.table = table;
    this.object = object;
    this.old = old;
  }

  /** An event whose rows are decoded from their JSON on first use (a {@link Watch}'s own copies). */
  static Event encoded(Kind kind, long index, TableSpec<? extends StoreObject> table, byte[] object, byte[] old) {
    Event e = new Event(kind, index, table, null, null);
    e.objectBytes = object;
    e.oldBytes = old;
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
    if (objectBytes != null) {
      object = Json.fromBytes(objectBytes, table.type());
      objectBytes = null;
    }
    return object;
  }

  /** The row before an update, or null. */
  public StoreObject old() {
    if (oldBytes != null) {
      old = Json.fromBytes(oldBytes, table.type());
      oldBytes = null;
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
