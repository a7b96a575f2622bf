package io.jswarm.manager.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.types.Node;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoleReconcilerTest {
  private final LocalProposer proposer = new LocalProposer();
  private final MemoryStore store = new MemoryStore(proposer, Clock.systemUTC(), IdGenerator.secure());
  private final Map<String, String> peers = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<String> removed = new CopyOnWriteArrayList<>();
  private final RoleReconciler reconciler = new RoleReconciler(store, () -> { synchronized (peers) { return Map.copyOf(peers); } }, id -> {
    removed.add(id);
    peers.remove(id);
  });

  RoleReconcilerTest() {
    proposer.bind(store);
  }

  @AfterEach
  void close() {
    reconciler.stop();
    store.close();
  }

  private void node(String id, String role) {
    store.update(tx -> {
      Node n = new Node();
      n.id = id;
      n.spec = new Node.Spec();
      n.spec.role = role;
      n.spec.availability = "active";
      tx.nodes().create(n);
      return null;
    });
    if (role.equals("manager")) {
      peers.put(id, "127.0.0.1:1");
    }
  }

  private void setRole(String id, String role) {
    store.update(tx -> {
      Node n = tx.nodes().get(id);
      n.spec.role = role;
      tx.nodes().update(n);
      return null;
    });
  }

  @Test
  void demotedManagerLeavesTheRaftGroup() {
    node("a", "manager");
    node("b", "manager");
    node("c", "manager");
    reconciler.reconcile();
    assertEquals(List.of(), removed);
    setRole("b", "worker");
    reconciler.reconcile();
    assertEquals(List.of("b"), removed);
    assertEquals(List.of("a", "c"), List.copyOf(peers.keySet()));
  }

  @Test
  void deletedNodeLeavesTheRaftGroup() {
    node("a", "manager");
    node("b", "manager");
    store.update(tx -> {
      tx.nodes().delete("b");
      return null;
    });
    reconciler.reconcile();
    assertEquals(List.of("b"), removed);
  }

  @Test
  void theLastMemberIsNeverRemoved() {
    node("a", "manager");
    setRole("a", "worker");
    reconciler.reconcile();
    assertEquals(List.of(), removed);
  }

  @Test
  void theLoopReactsToRoleChanges() throws Exception {
    node("a", "manager");
    node("b", "manager");
    reconciler.start();
    setRole("b", "worker");
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (removed.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(List.of("b"), removed);
  }
}
