package io.jswarm.consensus.raft;

import io.jswarm.consensus.store.ApplyResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's payload of one Raft log entry (before {@link DataEncryption} seals it), in one of two forms:
 * <ul>
 *   <li><b>a single batch</b> (every entry written before group commit, and still every entry of one batch): the
 *       {@link io.jswarm.consensus.store.ChangeBatch} JSON itself, {@code {"changes":[...]}}. Its first byte is
 *       {@code '{'};</li>
 *   <li><b>a group</b> of several batches proposed together ({@link GroupCommit}): the byte {@code 0x00} (never the
 *       first byte of JSON text), the format version {@code 0x01}, the number of batches (4 bytes, big-endian), then
 *       each batch as its length (4 bytes) and its bytes.</li>
 * </ul>
 * Each batch of a group is applied on its own, in order, at the entry's index ({@link
 * io.jswarm.consensus.store.StoreApplier#applyGroup}); the entry's reply is then the JSON array of their {@link
 * ApplyResult}s instead of one result. A group whose version byte this code does not know is refused as a damaged
 * entry (a log written by a newer jswarm), never skipped.
 */
final class LogEntryFormat {
  private LogEntryFormat() {}

  /** First byte of a group entry: never the first byte of a JSON text, so a single batch cannot look like one. */
  static final byte GROUP_MARK = 0x00;
  /** The group layout this code writes and reads. */
  static final byte GROUP_V1 = 0x01;
  /** Bytes a group adds besides its batches: mark, version, count. */
  static final int GROUP_HEADER = 6;
  /** Bytes a group adds per batch: its length. */
  static final int PER_BATCH = 4;

  /** The entry of {@code batches}: a single batch as it is (the format every older log holds), several as a group. */
  static byte[] encode(List<byte[]> batches) {
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("an entry holds at least one batch");
    }
    if (batches.size() == 1) {
      return batches.get(0);
    }
    int size = GROUP_HEADER;
    for (byte[] b : batches) {
      size += PER_BATCH + b.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(GROUP_MARK).put(GROUP_V1).putInt(batches.size());
    for (byte[] b : batches) {
      out.putInt(b.length).put(b);
    }
    return out.array();
  }

  /** The size {@link #encode} gives {@code n} batches of {@code bytes} bytes in all (n > 1). */
  static int groupSize(int n, long bytes) {
    return (int) Math.min(Integer.MAX_VALUE, GROUP_HEADER + (long) PER_BATCH * n + bytes);
  }

  static boolean isGroup(byte[] entry) {
    return entry.length > 0 && entry[0] == GROUP_MARK;
  }

  /**
   * The batches of a group entry ({@link #isGroup}).
   *
   * @throws IllegalArgumentException a version this code does not know, or lengths that do not add up (a damaged
   *     entry: the apply stops, as for any committed entry that cannot be applied)
   */
  static List<byte[]> batches(byte[] entry) {
    ByteBuffer in = ByteBuffer.wrap(entry);
    if (entry.length < GROUP_HEADER || in.get() != GROUP_MARK) {
      throw new IllegalArgumentException("not a group entry (" + entry.length + " bytes)");
    }
    byte version = in.get();
    if (version != GROUP_V1) {
      throw new IllegalArgumentException("group entry of format version " + version + ", this jswarm reads version "
          + GROUP_V1 + ": the log was written by a newer jswarm; run the same version on every manager");
    }
    int n = in.getInt();
    if (n < 1 || n > (entry.length - GROUP_HEADER) / PER_BATCH) {
      throw new IllegalArgumentException("group entry says " + n + " batches in " + entry.length + " bytes");
    }
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = in.remaining() >= PER_BATCH ? in.getInt() : -1;
      if (len < 0 || len > in.remaining()) {
        throw new IllegalArgumentException("group entry cut short: batch " + i + " of " + n + " says " + len
            + " bytes, " + in.remaining() + " left");
      }
      byte[] b = new byte[len];
      in.get(b);
      out.add(b);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("group entry has " + in.remaining() + " bytes after its " + n + " batches");
    }
    return out;
  }

  /** The reply of a group entry: its batches' results in order. */
  static byte[] encodeResults(List<ApplyResult> results) {
    return io.jswarm.api.json.Json.toString(results).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The results in an entry's reply: one for a single batch ({@link ApplyResult#encode}), one per batch of a group. */
  static List<ApplyResult> decodeResults(byte[] reply) {
    if (reply.length > 0 && reply[0] == '[') {
      return List.of(io.jswarm.api.json.Json.fromBytes(reply, ApplyResult[].class));
    }
    return List.of(ApplyResult.decode(reply));
  }
}
