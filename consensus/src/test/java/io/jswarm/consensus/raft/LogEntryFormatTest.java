package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.consensus.store.ApplyResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two forms of a log entry's payload: a single batch as every older log holds it, and a versioned group. */
class LogEntryFormatTest {
  /** An entry as jswarm wrote every entry before group commit: the change batch's JSON. */
  static final byte[] OLD_ENTRY = ("{\"changes\":[{\"op\":\"create\",\"table\":\"secrets\",\"id\":\"s1\",\"expected\":0,"
      + "\"object\":{\"ID\":\"s1\",\"Spec\":{\"Name\":\"old\"}}}]}").getBytes(StandardCharsets.UTF_8);

  @Test
  void aSingleBatchIsWrittenAsEveryOlderLogHoldsIt() {
    assertSame(OLD_ENTRY, LogEntryFormat.encode(List.of(OLD_ENTRY)));
    assertFalse(LogEntryFormat.isGroup(OLD_ENTRY));
  }

  @Test
  void aGroupRoundTripsItsBatchesInOrder() {
    List<byte[]> batches = List.of(OLD_ENTRY, new byte[0], "{\"changes\":[]}".getBytes(StandardCharsets.UTF_8));
    byte[] entry = LogEntryFormat.encode(batches);
    assertTrue(LogEntryFormat.isGroup(entry));
    assertEquals(LogEntryFormat.groupSize(3, OLD_ENTRY.length + 14), entry.length);
    List<byte[]> back = LogEntryFormat.batches(entry);
    assertEquals(3, back.size());
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(batches.get(i), back.get(i));
    }
  }

  @Test
  void aGroupOfAnUnknownVersionOrCutShortIsRefusedNotSkipped() {
    byte[] entry = LogEntryFormat.encode(List.of(OLD_ENTRY, OLD_ENTRY));
    byte[] newer = entry.clone();
    newer[1] = 2;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogEntryFormat.batches(newer));
    assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> LogEntryFormat.batches(Arrays.copyOf(entry, entry.length - 1)));
    byte[] longer = Arrays.copyOf(entry, entry.length + 1);
    assertThrows(IllegalArgumentException.class, () -> LogEntryFormat.batches(longer));
  }

  @Test
  void aReplyHoldsOneResultForABatchAndOnePerBatchForAGroup() {
    ApplyResult ok = ApplyResult.ok(5);
    ApplyResult conflict = new ApplyResult(5, ApplyResult.Outcome.CONFLICT, "stale");
    assertEquals(List.of(ok), LogEntryFormat.decodeResults(ok.encode()));
    assertEquals(List.of(ok, conflict), LogEntryFormat.decodeResults(LogEntryFormat.encodeResults(List.of(ok,
        conflict))));
  }
}
