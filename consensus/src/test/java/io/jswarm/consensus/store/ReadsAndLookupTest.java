package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.node;
import static io.jswarm.consensus.store.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadsAndLookupTest {

  @Test
  void createdRowsCanBeReadByIdNameAndListedInIdOrder() {
    MemoryStore s = localStore();
    String webId = s.update(tx -> tx.services().create(service("web")).id);
    String dbId = s.update(tx -> tx.services().create(service("db")).id);

    assertEquals(25, webId.length(), "generated ids are 25 characters");
    assertEquals("web", s.viewStale(tx -> tx.services().get(webId)).spec.name);
    assertEquals(webId, s.viewStale(tx -> tx.services().byName("web")).id);
    assertNull(s.viewStale(tx -> tx.services().byName("nope")));
    assertNull(s.viewStale(tx -> tx.services().get("nope")));
    assertEquals(2, s.count(Tables.SERVICES));
    assertEquals(2, (int) s.viewStale(tx -> tx.services().count()));
    List<String> ids = s.viewStale(tx -> tx.services().all()).stream().map(r -> r.id).toList();
    assertEquals(List.of(webId, dbId).stream().sorted().toList(), ids);
    assertEquals(0, s.count(Tables.TASKS));
  }

  @Test
  void linearizableViewSeesCommittedWrites() {
    MemoryStore s = localStore();
    s.update(tx -> tx.services().create(service("web")));
    assertEquals(1, (int) s.view(tx -> tx.services().count()));
    assertEquals(1L, (long) s.view(ReadTx::index));
  }

  @Test
  void lookupPrefersExactIdThenNameThenUniquePrefix() {
    MemoryStore s = localStore();
    s.update(tx -> {
      tx.services().create(service("x1aaa", "web"));
      tx.services().create(service("x1bbb", "x1aaa")); // a name that is also another row's id
      tx.services().create(service("y9zzz", "x1")); // a name that is also an ambiguous id prefix
      return null;
    });

    assertEquals("x1aaa", s.viewStale(tx -> tx.services().lookup("x1aaa")).id, "exact id wins over name");
    assertEquals("x1aaa", s.viewStale(tx -> tx.services().lookup("web")).id, "name");
    assertEquals("y9zzz", s.viewStale(tx -> tx.services().lookup("x1")).id, "name wins over prefix");
    assertEquals("x1bbb", s.viewStale(tx -> tx.services().lookup("x1b")).id, "unique prefix");
    assertEquals("y9zzz", s.viewStale(tx -> tx.services().lookup("y")).id, "unique prefix");
  }

  @Test
  void lookupOfAnAmbiguousPrefixIsAnInvalidArgument() {
    MemoryStore s = localStore();
    s.update(tx -> {
      tx.services().create(service("x1aaa", "web"));
      tx.services().create(service("x1bbb", "db"));
      return null;
    });
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> s.viewStale(tx -> tx.services().lookup("x1")));
    assertTrue(e.getMessage().contains("ambiguous"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> s.viewStale(tx -> tx.services().lookup("")));
  }

  @Test
  void lookupOfAnAmbiguousNodeHostnameIsAnInvalidArgument() {
    MemoryStore s = localStore();
    s.update(tx -> {
      tx.nodes().create(node("n1", "host"));
      tx.nodes().create(node("n2", "host"));
      return null;
    });
    assertThrows(InvalidArgumentException.class, () -> s.viewStale(tx -> tx.nodes().lookup("host")));
    assertEquals("n2", s.viewStale(tx -> tx.nodes().lookup("n2")).id);
  }

  @Test
  void lookupOfNothingIsNotFoundNamingTheNoun() {
    MemoryStore s = localStore();
    s.update(tx -> tx.services().create(service("web")));
    NotFoundException e = assertThrows(NotFoundException.class,
        () -> s.viewStale(tx -> tx.services().lookup("nope")));
    assertTrue(e.getMessage().contains("service") && e.getMessage().contains("nope"), e.getMessage());
    NotFoundException n = assertThrows(NotFoundException.class, () -> s.viewStale(tx -> tx.nodes().lookup("n")));
    assertTrue(n.getMessage().contains("node"), n.getMessage());
  }

  @Test
  void rowsHandedOutAreCopiesThatDoNotAliasTheStore() {
    MemoryStore s = localStore();
    String id = s.update(tx -> {
      Service created = tx.services().create(service("web"));
      created.spec.name = "mutated-after-create"; // must not reach the pending row
      return created.id;
    });
    String hash = s.contentHash();

    s.viewStale(tx -> {
      tx.services().get(id).spec.name = "x";
      tx.services().all().get(0).spec.name = "x";
      tx.services().byName("web").spec.name = "x";
      tx.services().lookup("web").spec.labels.put("k", "v");
      tx.services().byIdPrefix(id.substring(0, 3)).get(0).version.index = 999;
      tx.services().find(Tables.BY_NAME, "web").get(0).id = "other";
      return null;
    });

    Service stored = s.viewStale(tx -> tx.services().get(id));
    assertEquals("web", stored.spec.name);
    assertTrue(stored.spec.labels.isEmpty());
    assertEquals(1, stored.versionIndex());
    assertEquals(hash, s.contentHash());
  }

  @Test
  void aRowPassedToCreateIsCopiedNotKept() {
    MemoryStore s = localStore();
    Service mine = service("web");
    String id = s.update(tx -> tx.services().create(mine).id);
    mine.spec.name = "changed-by-caller";
    assertNull(mine.id, "the caller's object is not given an id");
    assertEquals("web", s.viewStale(tx -> tx.services().get(id)).spec.name);
  }

  @Test
  void aReadOnlyViewCannotWrite() {
    MemoryStore s = localStore();
    s.update(tx -> tx.nodes().create(node("n1", "host")));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> s.viewStale(tx -> ((Tx) tx).services().create(service("web"))));
    assertTrue(e.getMessage().contains("read-only"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> s.viewStale(tx -> {
      Node n = tx.nodes().get("n1");
      return ((Tx) tx).nodes().update(n);
    }));
    assertThrows(IllegalStateException.class, () -> s.view(tx -> {
      ((Tx) tx).nodes().delete("n1");
      return null;
    }));
    assertThrows(IllegalStateException.class, () -> s.viewAndWatch(tx -> {
      ((Tx) tx).nodes().delete("n1");
      return null;
    }, e2 -> true));
    assertEquals(1, s.count(Tables.NODES));
    assertEquals(1L, s.appliedIndex());
  }
}
