package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.config;
import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.manualStore;
import static io.jswarm.consensus.store.Fixtures.network;
import static io.jswarm.consensus.store.Fixtures.node;
import static io.jswarm.consensus.store.Fixtures.secret;
import static io.jswarm.consensus.store.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.StoreObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UniqueNamesTest {

  static Stream<Arguments> namedTables() {
    return Stream.of(
        Arguments.of(Tables.SERVICES, (Function<String, StoreObject>) Fixtures::service),
        Arguments.of(Tables.NETWORKS, (Function<String, StoreObject>) Fixtures::network),
        Arguments.of(Tables.SECRETS, (Function<String, StoreObject>) Fixtures::secret),
        Arguments.of(Tables.CONFIGS, (Function<String, StoreObject>) Fixtures::config),
        Arguments.of(Tables.CLUSTER, (Function<String, StoreObject>) Fixtures::cluster));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("namedTables")
  <T extends StoreObject> void creatingARowWithATakenNameIsAConflict(TableSpec<T> table,
      Function<String, StoreObject> make) {
    MemoryStore s = localStore();
    s.update(tx -> tx.table(table).create(table.cast(make.apply("taken"))));
    ConflictException e = assertThrows(ConflictException.class,
        () -> s.update(tx -> tx.table(table).create(table.cast(make.apply("taken")))));
    assertTrue(e.getMessage().contains(table.noun() + " name \"taken\" is already in use"), e.getMessage());
    assertEquals(1, s.count(table));
    assertEquals(1, s.appliedIndex());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("namedTables")
  <T extends StoreObject> void twoCreatesWithTheSameNameInOneAppliedBatchAreAConflict(TableSpec<T> table,
      Function<String, StoreObject> make) {
    MemoryStore s = localStore();
    byte[] batch = ChangeBatch.encode(List.of(
        new Change(Change.Op.CREATE, table, "id-one", 0, make.apply("same")),
        new Change(Change.Op.CREATE, table, "id-two", 0, make.apply("same"))));
    ApplyResult r = s.apply(1, batch);
    assertEquals(ApplyResult.Outcome.CONFLICT, r.outcome());
    assertTrue(r.message().contains("\"same\" is already in use by " + table.noun() + " id-one"), r.message());
    assertEquals(0, s.count(table), "neither create was applied");
  }

  @Test
  void racingCreatesOfTheSameNameAreSettledWhenApplied() {
    ManualProposer p = new ManualProposer();
    MemoryStore s = manualStore(p, 3);
    CompletableFuture<Service> a = s.updateAsync(tx -> tx.services().create(service("web")));
    CompletableFuture<Service> b = s.updateAsync(tx -> tx.services().create(service("web")));
    assertTrue(p.commitNext().isOk());
    assertEquals(ApplyResult.Outcome.CONFLICT, p.commitNext().outcome());
    String winner = MemoryStore.join(a).id;
    assertThrows(ConflictException.class, () -> MemoryStore.join(b));
    assertEquals(winner, s.viewStale(tx -> tx.services().byName("web")).id);
    assertEquals(1, s.count(Tables.SERVICES));
  }

  @Test
  void renamingIntoATakenNameIsAConflict() {
    MemoryStore s = localStore();
    s.update(tx -> tx.services().create(service("web")));
    String db = s.update(tx -> tx.services().create(service("db")).id);
    ConflictException e = assertThrows(ConflictException.class, () -> s.update(tx -> {
      Service svc = tx.services().get(db);
      svc.spec.name = "web";
      return tx.services().update(svc);
    }));
    assertTrue(e.getMessage().contains("already in use"), e.getMessage());
    assertEquals("db", s.viewStale(tx -> tx.services().get(db)).spec.name);
  }

  @Test
  void renamingIntoANameTakenMeanwhileIsRejectedWhenApplied() {
    ManualProposer p = new ManualProposer();
    MemoryStore s = manualStore(p, 3);
    CompletableFuture<String> created = s.updateAsync(tx -> tx.services().create(service("db")).id);
    p.commitNext();
    String db = MemoryStore.join(created);

    CompletableFuture<Service> takeWeb = s.updateAsync(tx -> tx.services().create(service("web")));
    CompletableFuture<Service> rename = s.updateAsync(tx -> {
      Service svc = tx.services().get(db);
      svc.spec.name = "web";
      return tx.services().update(svc);
    });
    p.commitNext();
    ApplyResult r = p.commitNext();
    assertEquals(ApplyResult.Outcome.CONFLICT, r.outcome());
    assertTrue(r.message().contains("service name \"web\" is already in use"), r.message());
    MemoryStore.join(takeWeb);
    assertThrows(ConflictException.class, () -> MemoryStore.join(rename));
    assertEquals("db", s.viewStale(tx -> tx.services().get(db)).spec.name);
  }

  @Test
  void keepingOnesOwnNameIsNotAConflict() {
    MemoryStore s = localStore();
    String id = s.update(tx -> tx.services().create(service("web")).id);
    s.update(tx -> {
      Service svc = tx.services().get(id);
      svc.spec.labels.put("k", "v");
      return tx.services().update(svc);
    });
    assertEquals("v", s.viewStale(tx -> tx.services().byName("web")).spec.labels.get("k"));
  }

  @Test
  void aRenameFreesItsOldNameForAnotherRowInTheSameBatch() {
    MemoryStore s = localStore();
    String old = s.update(tx -> tx.services().create(service("web")).id);
    String fresh = s.update(tx -> {
      Service svc = tx.services().get(old);
      svc.spec.name = "web-old";
      tx.services().update(svc);
      return tx.services().create(service("web")).id;
    });
    assertEquals(fresh, s.viewStale(tx -> tx.services().byName("web")).id);
    assertEquals(old, s.viewStale(tx -> tx.services().byName("web-old")).id);
    assertEquals(2, s.appliedIndex(), "rename and create were one batch");
  }

  @Test
  void aDeleteFreesItsNameForAnotherRowInTheSameBatch() {
    MemoryStore s = localStore();
    String old = s.update(tx -> tx.networks().create(network("net")).id);
    String fresh = s.update(tx -> {
      tx.networks().delete(old);
      return tx.networks().create(network("net")).id;
    });
    assertEquals(fresh, s.viewStale(tx -> tx.networks().byName("net")).id);
    assertEquals(1, s.count(Tables.NETWORKS));
  }

  @Test
  void aSwapOfTwoNamesInOneBatchIsRejectedByTheTransactionAndByApply() {
    // Swapping needs a temporary name: after the first rename both rows would hold the same name.
    MemoryStore s = localStore();
    String a = s.update(tx -> tx.secrets().create(secret("a")).id);
    String b = s.update(tx -> tx.secrets().create(secret("b")).id);
    assertThrows(ConflictException.class, () -> s.update(tx -> {
      var sa = tx.secrets().get(a);
      sa.spec.name = "b";
      return tx.secrets().update(sa);
    }));
    var sa = s.viewStale(tx -> tx.secrets().get(a));
    sa.spec.name = "b";
    var sb = s.viewStale(tx -> tx.secrets().get(b));
    sb.spec.name = "a";
    byte[] swap = ChangeBatch.encode(List.of(
        new Change(Change.Op.UPDATE, Tables.SECRETS, a, sa.versionIndex(), sa),
        new Change(Change.Op.UPDATE, Tables.SECRETS, b, sb.versionIndex(), sb)));
    assertEquals(ApplyResult.Outcome.CONFLICT, s.apply(3, swap).outcome());
    assertEquals("a", s.viewStale(tx -> tx.secrets().get(a)).spec.name);
  }

  @Test
  void nodesMayShareAHostname() {
    MemoryStore s = localStore();
    s.update(tx -> {
      tx.nodes().create(node("n1", "worker"));
      tx.nodes().create(node("n2", "worker"));
      return null;
    });
    s.update(tx -> tx.nodes().create(node("n3", "worker")));
    assertEquals(3, s.viewStale(tx -> tx.nodes().find(Tables.BY_NAME, "worker")).size());
    assertEquals("n1", s.viewStale(tx -> tx.nodes().byName("worker")).id, "byName returns the first by id");
    assertFalse(Tables.NODES.uniqueNames());
  }

  @Test
  void configsWithoutANameDoNotCollide() {
    MemoryStore s = localStore();
    s.update(tx -> {
      tx.configs().create(config(null));
      tx.configs().create(config(null));
      return null;
    });
    assertEquals(2, s.count(Tables.CONFIGS));
  }
}
