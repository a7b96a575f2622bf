package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;
import io.jswarm.api.types.Version;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The deterministic rules by which {@link MemoryStore#apply} changes the tables: a batch is checked as a whole against
 * the tables it meets (compare-and-set, unique names), then each change makes the new version of its table. The same
 * tables and batch give the same result on every manager.
 */
final class ChangeApply {
  private ChangeApply() {}

  /** Validates the whole batch against the current tables before anything changes (all or nothing). */
  static ApplyResult check(Map<TableSpec<?>, Table<?>> tables, long index, List<Change> changes) {
    // Names claimed (name -> id) or released by earlier changes of this same batch, per table.
    Map<TableSpec<?>, Map<String, String>> claimed = new LinkedHashMap<>();
    for (Change c : changes) {
      Table<?> table = tables.get(c.table());
      StoreObject cur = table.get(c.id());
      String noun = c.table().noun();
      switch (c.op()) {
        case CREATE -> {
          if (cur != null) {
            return new ApplyResult(index, ApplyResult.Outcome.CONFLICT, noun + " " + c.id() + " already exists");
          }
        }
        case UPDATE, PATCH, DELETE -> {
          if (cur == null) {
            return new ApplyResult(index, ApplyResult.Outcome.NOT_FOUND,
                noun + " " + c.id() + " not found (it was removed meanwhile)");
          }
          if (cur.versionIndex() != c.expectedVersion()) {
            return new ApplyResult(index, ApplyResult.Outcome.CONFLICT,
                TxImpl.stale(c.table(), c.id(), c.expectedVersion(), cur.versionIndex()).getMessage());
          }
        }
      }
      if (!c.table().uniqueNames()) {
        continue;
      }
      Map<String, String> names = claimed.computeIfAbsent(c.table(), t -> new LinkedHashMap<>());
      if (cur != null && cur.uniqueName() != null) {
        names.put(cur.uniqueName(), null); // released unless claimed again below
      }
      StoreObject next = c.op() == Change.Op.PATCH ? RowPatch.apply(cur, c.object()) : c.object();
      String name = next == null ? null : next.uniqueName();
      if (name != null) {
        String owner = names.containsKey(name) ? names.get(name) : firstId(table, name);
        if (owner != null && !owner.equals(c.id())) {
          return new ApplyResult(index, ApplyResult.Outcome.CONFLICT,
              noun + " name \"" + name + "\" is already in use by " + noun + " " + owner);
        }
        names.put(name, c.id());
      }
    }
    return ApplyResult.ok(index);
  }

  private static String firstId(Table<?> table, String name) {
    Set<String> ids = table.idsBy(Tables.BY_NAME, name);
    return ids.isEmpty() ? null : ids.iterator().next();
  }

  /** Makes {@code c}'s table's next version in {@code tables} (checked: {@link #check}); returns its event. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Event mutate(Map<TableSpec<?>, Table<?>> tables, long index, Change c) {
    Table table = tables.get(c.table());
    StoreObject old = table.get(c.id());
    switch (c.op()) {
      case DELETE -> {
        tables.put(c.table(), table.without(c.id()));
        return new Event(Event.Kind.DELETE, index, c.table(), old, null);
      }
      default -> {
        StoreObject row = c.op() == Change.Op.PATCH ? RowPatch.apply(old, c.object()) : c.object();
        row.id = c.id();
        row.version = new Version(index);
        tables.put(c.table(), table.with(row));
        return new Event(c.op() == Change.Op.CREATE ? Event.Kind.CREATE : Event.Kind.UPDATE, index, c.table(), row,
            old);
      }
    }
  }
}
