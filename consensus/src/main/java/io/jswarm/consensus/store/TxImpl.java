package io.jswarm.consensus.store;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.StoreObject;
import io.jswarm.api.types.Version;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A transaction over the store's tables: reads go to the base tables (under the store's read lock) overlaid
 * with this transaction's own pending writes. Writes are collapsed to at most one change per row, in the
 * order rows were first touched, and become the batch proposed to Raft.
 */
final class TxImpl implements Tx {
  private final Map<TableSpec<?>, Table<?>> base;
  private final long index;
  private final boolean writable;
  private final Supplier<String> now;
  private final IdGenerator ids;
  private final Map<TableSpec<?>, LinkedHashMap<String, Pending>> pending = new LinkedHashMap<>();
  private final Map<TableSpec<?>, TableView<?>> views = new HashMap<>();

  /**
   * A row's pending change: {@code row == null} means deleted. {@code expected} is the version read first. A
   * {@link Change.Op#PATCH} has the row as it will be and the {@code patch} that travels ({@link RowPatch}).
   */
  private record Pending(Change.Op op, long expected, StoreObject row, StoreObject patch) {
    Pending(Change.Op op, long expected, StoreObject row) {
      this(op, expected, row, null);
    }
  }

  TxImpl(Map<TableSpec<?>, Table<?>> base, long index, boolean writable, Supplier<String> now, IdGenerator ids) {
    this.base = base;
    this.index = index;
    this.writable = writable;
    this.now = now;
    this.ids = ids;
  }

  @Override
  public long index() {
    return index;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends StoreObject> TableWriter<T> table(TableSpec<T> table) {
    return (TableWriter<T>) views.computeIfAbsent(table, t -> new TableView<>(table));
  }

  boolean hasChanges() {
    // A row created and deleted in this transaction leaves a null entry: that is no change.
    return pending.values().stream().anyMatch(m -> m.values().stream().anyMatch(p -> p != null));
  }

  /** The collapsed changes, in the order rows were first touched. */
  List<Change> changes() {
    List<Change> out = new ArrayList<>();
    pending.forEach((table, rows) -> rows.forEach((id, p) -> {
      if (p != null) {
        out.add(new Change(p.op, table, id, p.expected, p.op == Change.Op.PATCH ? p.patch : p.row));
      }
    }));
    return out;
  }

  private final class TableView<T extends StoreObject> implements TableWriter<T> {
    private final TableSpec<T> spec;
    private final Table<T> table;

    @SuppressWarnings("unchecked")
    TableView(TableSpec<T> spec) {
      this.spec = spec;
      this.table = (Table<T>) base.get(spec);
    }

    private Map<String, Pending> mine() {
      Map<String, Pending> m = pending.get(spec);
      return m == null ? Map.of() : m;
    }

    /** The current row (stored or pending), not copied; null when absent. */
    private T current(String id) {
      Map<String, Pending> mine = mine();
      if (mine.containsKey(id)) {
        Pending p = mine.get(id);
        return p == null ? null : spec.cast(p.row);
      }
      return table.get(id);
    }

    @Override
    public T get(String id) {
      return id == null ? null : Json.copy(current(id));
    }

    @Override
    public <R> R read(String id, java.util.function.Function<? super T, ? extends R> reader) {
      return reader.apply(id == null ? null : current(id));
    }

    @Override
    public List<T> all() {
      TreeMap<String, T> rows = new TreeMap<>();
      for (T row : table.all()) {
        rows.put(row.id, row);
      }
      overlay(rows, row -> true);
      return copies(rows.values());
    }

    @Override
    public List<T> find(String index, String key) {
      TreeMap<String, T> rows = new TreeMap<>();
      for (String id : table.idsBy(index, key)) {
        rows.put(id, table.get(id));
      }
      overlay(rows, row -> spec.keys(index, row).contains(key));
      return copies(rows.values());
    }

    @Override
    public void scan(String index, String key, java.util.function.Consumer<? super T> visitor) {
      if (mine().isEmpty()) {
        for (String id : table.idsBy(index, key)) { // already in id order: no map to build
          visitor.accept(table.get(id));
        }
        return;
      }
      TreeMap<String, T> rows = new TreeMap<>();
      for (String id : table.idsBy(index, key)) {
        rows.put(id, table.get(id));
      }
      overlay(rows, row -> spec.keys(index, row).contains(key));
      rows.values().forEach(visitor);
    }

    @Override
    public java.util.SortedMap<String, Integer> counts(String counter, String prefix) {
      java.util.SortedMap<String, Integer> stored = table.counts(counter, prefix);
      if (mine().isEmpty()) {
        return stored;
      }
      TreeMap<String, Integer> out = new TreeMap<>(stored);
      mine().forEach((id, p) -> {
        T before = table.get(id);
        if (before != null) {
          for (String key : spec.counterKeys(counter, before)) {
            if (key.startsWith(prefix)) {
              out.merge(key, -1, Integer::sum);
            }
          }
        }
        if (p != null && p.row != null) { // a pending delete has no row
          for (String key : spec.counterKeys(counter, spec.cast(p.row))) {
            if (key.startsWith(prefix)) {
              out.merge(key, 1, Integer::sum);
            }
          }
        }
      });
      out.values().removeIf(n -> n <= 0);
      return out;
    }

    @Override
    public void scanAll(java.util.function.Consumer<? super T> visitor) {
      if (mine().isEmpty()) {
        table.all().forEach(visitor);
        return;
      }
      TreeMap<String, T> rows = new TreeMap<>();
      for (T row : table.all()) {
        rows.put(row.id, row);
      }
      overlay(rows, row -> true);
      rows.values().forEach(visitor);
    }

    @Override
    public List<T> byIdPrefix(String prefix) {
      TreeMap<String, T> rows = table.withPrefix(prefix);
      overlay(rows, row -> row.id.startsWith(prefix));
      return copies(rows.values());
    }

    @Override
    public int count() {
      int n = table.size();
      for (Map.Entry<String, Pending> e : mine().entrySet()) {
        boolean stored = table.get(e.getKey()) != null;
        boolean present = e.getValue() != null && e.getValue().row != null;
        n += (present ? 1 : 0) - (stored ? 1 : 0);
      }
      return n;
    }

    @Override
    public T lookup(String ref) {
      if (ref == null || ref.isEmpty()) {
        throw new InvalidArgumentException(spec.noun() + " name or ID must not be empty");
      }
      T row = get(ref);
      if (row != null) {
        return row;
      }
      List<T> named = find(Tables.BY_NAME, ref);
      if (named.size() == 1) {
        return named.get(0);
      }
      if (named.size() > 1) {
        throw new InvalidArgumentException(spec.noun() + " name \"" + ref + "\" is ambiguous (" + named.size()
            + " matches); use an ID");
      }
      List<T> prefixed = byIdPrefix(ref);
      if (prefixed.size() == 1) {
        return prefixed.get(0);
      }
      if (prefixed.size() > 1) {
        throw new InvalidArgumentException(spec.noun() + " ID prefix \"" + ref + "\" is ambiguous ("
            + prefixed.size() + " matches); type more of the ID");
      }
      throw new NotFoundException(spec.noun() + " " + ref + " not found");
    }

    /** Replaces stored rows by this transaction's pending versions; keeps those matching {@code keep}. */
    private void overlay(TreeMap<String, T> rows, java.util.function.Predicate<T> keep) {
      for (Map.Entry<String, Pending> e : mine().entrySet()) {
        rows.remove(e.getKey());
        Pending p = e.getValue();
        if (p != null && p.row != null && keep.test(spec.cast(p.row))) {
          rows.put(e.getKey(), spec.cast(p.row));
        }
      }
    }

    private List<T> copies(Collection<T> rows) {
      List<T> out = new ArrayList<>(rows.size());
      for (T row : rows) {
        out.add(Json.copy(row));
      }
      return out;
    }

    private LinkedHashMap<String, Pending> writable() {
      if (!writable) {
        throw new IllegalStateException("read-only transaction: use MemoryStore.update to write");
      }
      return pending.computeIfAbsent(spec, t -> new LinkedHashMap<>());
    }

    private void checkName(T row) {
      String name = row.uniqueName();
      if (!spec.uniqueNames() || name == null) {
        return;
      }
      for (T other : find(Tables.BY_NAME, name)) {
        if (!other.id.equals(row.id)) {
          throw new ConflictException(spec.noun() + " name \"" + name + "\" is already in use by "
              + spec.noun() + " " + other.id + "; choose another name or remove that " + spec.noun());
        }
      }
    }

    @Override
    public T create(T row) {
      return Json.copy(insert(Json.copy(row)));
    }

    /** Records {@code copy} (owned by this transaction from now on) as a new row; returns it. */
    @Override
    public T insert(T copy) {
      LinkedHashMap<String, Pending> mine = writable();
      if (copy.id == null || copy.id.isEmpty()) {
        copy.id = ids.newId();
      }
      if (current(copy.id) != null) {
        throw new ConflictException(spec.noun() + " " + copy.id + " already exists");
      }
      checkName(copy);
      String ts = now.get();
      copy.createdAt = ts;
      copy.updatedAt = ts;
      copy.version = null;
      Pending before = mine.get(copy.id);
      // A row deleted earlier in this transaction and created again becomes an update of the stored row.
      Pending p = before != null && before.op == Change.Op.DELETE
          ? new Pending(Change.Op.UPDATE, before.expected, copy)
          : new Pending(Change.Op.CREATE, 0, copy);
      if (p.op == Change.Op.UPDATE) {
        copy.createdAt = table.get(copy.id).createdAt;
      }
      mine.put(copy.id, p);
      return copy;
    }

    @Override
    public T update(T row) {
      return Json.copy(store(Json.copy(row)));
    }

    @Override
    public void replace(T row) {
      store(row);
    }

    /** Records {@code copy} (owned by this transaction from now on) as the new version of its row. */
    private T store(T copy) {
      T row = copy;
      LinkedHashMap<String, Pending> mine = writable();
      if (row.id == null) {
        throw new InvalidArgumentException(spec.noun() + " to update has no ID");
      }
      T cur = current(row.id);
      if (cur == null) {
        throw new NotFoundException(spec.noun() + " " + row.id + " not found");
      }
      if (row.versionIndex() != cur.versionIndex()) {
        throw stale(spec, row.id, row.versionIndex(), cur.versionIndex());
      }
      checkName(copy);
      copy.createdAt = cur.createdAt;
      copy.updatedAt = now.get();
      copy.version = cur.version == null ? null : new Version(cur.version.index);
      Pending before = mine.get(row.id);
      if (before == null) {
        mine.put(row.id, new Pending(Change.Op.UPDATE, cur.versionIndex(), copy));
      } else { // create+update stays a create; patch+update is an update
        mine.put(row.id, new Pending(before.op == Change.Op.PATCH ? Change.Op.UPDATE : before.op, before.expected,
            copy));
      }
      return copy;
    }

    @Override
    public void patch(T fields) {
      LinkedHashMap<String, Pending> mine = writable();
      if (fields.id == null) {
        throw new InvalidArgumentException(spec.noun() + " to update has no ID");
      }
      String id = fields.id;
      T cur = current(id);
      if (cur == null) {
        throw new NotFoundException(spec.noun() + " " + id + " not found");
      }
      if (fields.versionIndex() != cur.versionIndex()) {
        throw stale(spec, id, fields.versionIndex(), cur.versionIndex());
      }
      T patch = RowPatch.copy(fields);
      patch.id = null; // the change carries the id and the expected version
      patch.version = null;
      patch.createdAt = null;
      patch.updatedAt = now.get();
      T row = RowPatch.apply(cur, patch);
      Pending before = mine.get(id);
      if (spec.uniqueNames() || before != null && before.op != Change.Op.PATCH) {
        store(row); // a name to check, or a pending create or update: the whole row
        return;
      }
      mine.put(id, before == null
          ? new Pending(Change.Op.PATCH, cur.versionIndex(), row, patch)
          : new Pending(Change.Op.PATCH, before.expected, row, RowPatch.apply(spec.cast(before.patch), patch)));
    }

    @Override
    public void delete(String id) {
      LinkedHashMap<String, Pending> mine = writable();
      T cur = current(id);
      if (cur == null) {
        throw new NotFoundException(spec.noun() + " " + id + " not found");
      }
      Pending before = mine.get(id);
      if (before != null && before.op == Change.Op.CREATE) {
        mine.put(id, null); // created and deleted in the same transaction: nothing to propose
      } else {
        long expected = before == null ? cur.versionIndex() : before.expected;
        mine.put(id, new Pending(Change.Op.DELETE, expected, null));
      }
    }
  }

  static ConflictException stale(TableSpec<?> spec, String id, long given, long current) {
    return new ConflictException("update out of sequence: " + spec.noun() + " " + id + " is at version "
        + current + ", the update was made against version " + given + "; read it again and retry");
  }
}
