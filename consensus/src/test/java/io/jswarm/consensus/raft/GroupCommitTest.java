package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.consensus.store.ApplyResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** How concurrent proposals share log entries: idle goes alone at once, waiting ones go together, each gets its own. */
class GroupCommitTest {
  /** An entry handed to Raft: its batches and the future the test completes as Raft would. */
  private record Entry(List<String> batches, CompletableFuture<List<ApplyResult>> done) {
    void answer(long index) {
      List<ApplyResult> results = new ArrayList<>();
      for (String b : batches) {
        results.add(new ApplyResult(index, ApplyResult.Outcome.OK, b));
      }
      done.complete(results);
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  private GroupCommit groups(int maxInFlight, int maxBatches, int maxBytes) {
    return new GroupCommit(batches -> {
      List<String> names = new ArrayList<>();
      batches.forEach(b -> names.add(new String(b, StandardCharsets.UTF_8)));
      Entry e = new Entry(names, new CompletableFuture<>());
      entries.add(e);
      return e.done();
    }, maxInFlight, maxBatches, maxBytes);
  }

  private static byte[] batch(String name) {
    return name.getBytes(StandardCharsets.UTF_8);
  }

  /** Proposes one batch per name, in order. */
  private static void proposeAll(GroupCommit g, String... names) {
    for (String n : names) {
      g.propose(batch(n));
    }
  }

  @Test
  void anIdleProposalGoesAloneAtOnceAndTheOnesWhileItIsInFlightGoAsOneEntry() throws Exception {
    GroupCommit g = groups(1, 100, 1 << 20);
    CompletableFuture<ApplyResult> a = g.propose(batch("a"));
    assertEquals(1, entries.size(), "nothing in flight: no waiting, no timer");
    assertEquals(List.of("a"), entries.get(0).batches());

    CompletableFuture<ApplyResult> b = g.propose(batch("b"));
    CompletableFuture<ApplyResult> c = g.propose(batch("c"));
    CompletableFuture<ApplyResult> d = g.propose(batch("d"));
    assertEquals(1, entries.size(), "one entry in flight: later proposals wait");
    assertEquals(3, g.waiting());

    entries.get(0).answer(7);
    assertEquals("a", a.get().message());
    assertEquals(2, entries.size(), "the waiting proposals went as one entry when the first completed");
    assertEquals(List.of("b", "c", "d"), entries.get(1).batches());
    assertFalse(b.isDone());

    entries.get(1).answer(8);
    assertEquals("b", b.get().message(), "each caller gets its own batch's result");
    assertEquals("c", c.get().message());
    assertEquals("d", d.get().message());
    assertEquals(8, d.get().index());
    assertEquals(0, g.inFlight());

    g.propose(batch("e"));
    assertEquals(List.of("e"), entries.get(2).batches(), "idle again: the next one goes at once");
  }

  @Test
  void aFullEntryGoesWithoutWaitingForTheOneInFlight() {
    GroupCommit g = groups(1, 3, 1 << 20);
    proposeAll(g, "a", "b", "c");
    assertEquals(1, entries.size());
    g.propose(batch("d"));
    assertEquals(2, entries.size(), "three waiting batches fill an entry");
    assertEquals(List.of("b", "c", "d"), entries.get(1).batches());
    assertEquals(2, g.inFlight());
  }

  @Test
  void entriesStayWithinTheByteBoundAndALargerBatchGoesAlone() {
    GroupCommit g = groups(1, 100, 10);
    proposeAll(g, "first", "1234", "5678", "a-batch-larger-than-the-bound", "xy");
    // waiting: 4 + 4 + 29 + 2 bytes >= 10: full entries go at once, each within the bound or a lone large batch
    List<List<String>> sent = entries.stream().map(Entry::batches).toList();
    assertEquals(List.of(List.of("first"), List.of("1234", "5678"), List.of("a-batch-larger-than-the-bound")),
        sent);
    assertEquals(1, g.waiting(), "the last small one waits until an entry slot is free");
    entries.get(0).answer(1);
    entries.get(1).answer(2);
    assertEquals(3, entries.size(), "still above the one entry allowed in flight");
    entries.get(2).answer(3);
    assertEquals(List.of("xy"), entries.get(3).batches());
  }

  @Test
  void aFailedEntryFailsItsCallersOnlyAndTheNextEntryStillGoes() throws Exception {
    GroupCommit g = groups(1, 100, 1 << 20);
    CompletableFuture<ApplyResult> a = g.propose(batch("a"));
    CompletableFuture<ApplyResult> b = g.propose(batch("b"));
    entries.get(0).answer(1);
    CompletableFuture<ApplyResult> c = g.propose(batch("c"));
    CompletableFuture<ApplyResult> d = g.propose(batch("d"));
    IOException lost = new IOException("no quorum");
    entries.get(1).done().completeExceptionally(lost);
    assertTrue(a.isDone() && !a.isCompletedExceptionally());
    ExecutionException failed = assertThrows(ExecutionException.class, b::get);
    assertSame(lost, failed.getCause());
    assertEquals(List.of("c", "d"), entries.get(2).batches(), "the waiting ones still go");
    entries.get(2).answer(3);
    assertEquals("c", c.get().message());
    assertEquals("d", d.get().message());
  }

  @Test
  void anAnswerWithTheWrongNumberOfResultsFailsEveryCallerOfTheEntry() {
    GroupCommit g = groups(1, 100, 1 << 20);
    g.propose(batch("a"));
    CompletableFuture<ApplyResult> b = g.propose(batch("b"));
    CompletableFuture<ApplyResult> c = g.propose(batch("c"));
    entries.get(0).answer(1);
    entries.get(1).done().complete(List.of(ApplyResult.ok(2)));
    assertTrue(b.isCompletedExceptionally() && c.isCompletedExceptionally(), "never a result meant for another");
  }

  @Test
  void aProposalThatThrowsFailsItsCallersAndFreesTheSlot() throws Exception {
    List<CompletableFuture<List<ApplyResult>>> out = new ArrayList<>();
    int[] calls = {0};
    GroupCommit g = new GroupCommit(batches -> {
      if (calls[0]++ == 0) {
        throw new IllegalStateException("cannot seal");
      }
      CompletableFuture<List<ApplyResult>> f = new CompletableFuture<>();
      out.add(f);
      return f;
    }, 1, 100, 1 << 20);
    CompletableFuture<ApplyResult> a = g.propose(batch("a"));
    assertTrue(a.isCompletedExceptionally());
    assertEquals(0, g.inFlight());
    CompletableFuture<ApplyResult> b = g.propose(batch("b"));
    out.get(0).complete(List.of(ApplyResult.ok(4)));
    assertEquals(4, b.get().index());
  }

  @Test
  void closingFailsWhatWaitsAndRefusesNewProposals() {
    GroupCommit g = groups(1, 100, 1 << 20);
    CompletableFuture<ApplyResult> a = g.propose(batch("a"));
    CompletableFuture<ApplyResult> b = g.propose(batch("b"));
    g.close();
    assertTrue(b.isCompletedExceptionally(), "a waiting batch is failed, never left unanswered");
    assertFalse(a.isDone(), "the entry in flight ends as its request does");
    assertTrue(g.propose(batch("c")).isCompletedExceptionally());
    entries.get(0).answer(1);
    assertTrue(a.isDone() && !a.isCompletedExceptionally());
    assertEquals(1, entries.size(), "nothing more goes after close");
  }

  @Test
  void severalEntriesMayBeInFlightWhenAllowed() {
    GroupCommit g = groups(2, 100, 1 << 20);
    proposeAll(g, "a", "b", "c", "d");
    assertEquals(2, entries.size());
    assertEquals(List.of("b"), entries.get(1).batches());
    entries.get(1).answer(2);
    assertEquals(List.of("c", "d"), entries.get(2).batches());
  }
}
