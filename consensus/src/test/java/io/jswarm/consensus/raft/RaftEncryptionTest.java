package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Secret;
import io.jswarm.consensus.crypto.AesGcmKey;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Tables;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.raftlog.segmented.SegmentedRaftLogFormat;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedInputStream;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedOutputStream;
import org.apache.ratis.util.MD5FileUtil;
import org.apache.ratis.util.PureJavaCrc32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest: with a data key nothing of the store's content reaches the disk readable, and a changed
 * byte that the plain checksums would not notice (they were recomputed) is refused at start naming the file.
 */
class RaftEncryptionTest {
  private static final AesGcmKey KEY = AesGcmKey.generate(new SecureRandom());

  @TempDir
  Path dir;

  @Test
  void logAndSnapshotHoldNoPlaintextWithADataKeyAndDoWithout() throws Exception {
    String marker = "marker-" + UUID.randomUUID();
    Path encrypted = writeSecretsWithMarker(dir.resolve("enc"), KEY, marker);
    assertTrue(filesNamed(encrypted, "snapshot.").size() > 0, "a snapshot was taken");
    assertEquals(List.of(), filesContaining(encrypted, marker), "files holding the marker in the clear");
    assertEquals(List.of(), filesContaining(encrypted, "PRIVATE KEY"), "files holding 'PRIVATE KEY' in the clear");
    // the same writes without a key: the marker is on disk (this test can tell)
    Path plain = writeSecretsWithMarker(dir.resolve("plain"), null, marker);
    assertFalse(filesContaining(plain, marker).isEmpty(), "without a data key the marker is readable on disk");
  }

  @Test
  void encryptedStoreRestartsFromItsLogAndSnapshot() throws Exception {
    String marker = "m-" + UUID.randomUUID();
    Path storage = dir.resolve("m1");
    RaftConfig cfg = config(storage, KEY);
    writeSecretsWithMarker(storage, KEY, marker);
    try (RaftStore s = RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure())) {
      MiniCluster.await(Duration.ofSeconds(20), "the store to replay", () ->
          s.store().count(Tables.SECRETS) == 30 ? true : null);
      assertEquals(marker, s.store().viewStale(tx -> tx.secrets().byName("s29")).spec.labels.get("marker"));
    }
    // another key opens nothing
    CorruptStateException e = assertThrows(CorruptStateException.class, () ->
        RaftStore.start(config(storage, AesGcmKey.generate(new SecureRandom())), Clock.systemUTC(),
            IdGenerator.secure()).close());
    assertTrue(e.getMessage().contains("data key"), e.getMessage());
  }

  @Test
  void changedEncryptedLogEntryWithMatchingChecksumIsRefusedNamingTheFile() throws Exception {
    Path storage = dir.resolve("m1");
    writeSecretsWithMarker(storage, KEY, "x");
    Path segment = filesNamed(storage, "log_").stream()
        .filter(p -> p.getFileName().toString().startsWith("log_inprogress")).findFirst().orElseThrow();
    flipByteInLastEntryKeepingChecksum(segment);
    CorruptStateException e = assertThrows(CorruptStateException.class,
        () -> RaftStore.start(config(storage, KEY), Clock.systemUTC(), IdGenerator.secure()).close());
    assertTrue(e.getMessage().contains(segment.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("do not decrypt"), e.getMessage());
  }

  @Test
  void changedEncryptedSnapshotWithMatchingChecksumsIsRefusedNamingTheFile() throws Exception {
    Path storage = dir.resolve("m1");
    writeSecretsWithMarker(storage, KEY, "x");
    Path snapshot = filesNamed(storage, "snapshot.").stream()
        .filter(p -> !p.toString().endsWith(".md5")).max(Path::compareTo).orElseThrow();
    byte[] all = Files.readAllBytes(snapshot);
    int nl = 0;
    while (all[nl] != '\n') {
      nl++;
    }
    String[] header = new String(all, 0, nl, StandardCharsets.US_ASCII).split(" ");
    assertEquals("JSWSNAP2", header[0], "an encrypted snapshot");
    byte[] body = Arrays.copyOfRange(all, nl + 1, all.length);
    body[body.length / 2] ^= 0x40;
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    byte[] head = (header[0] + " " + sha + " " + header[2] + "\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(head.length + body.length).put(head).put(body);
    Files.write(snapshot, out.array());
    MD5FileUtil.computeAndSaveMd5ForFile(snapshot.toFile());
    CorruptStateException e = assertThrows(CorruptStateException.class,
        () -> RaftStore.start(config(storage, KEY), Clock.systemUTC(), IdGenerator.secure()).close());
    assertTrue(e.getMessage().contains(snapshot.getFileName().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("does not decrypt"), e.getMessage());
  }

  private static RaftConfig config(Path storage, AesGcmKey key) throws IOException {
    Path portFile = storage.resolveSibling(storage.getFileName() + ".addr");
    String addr = Files.exists(portFile) ? Files.readString(portFile) : "127.0.0.1:" + MiniCluster.freePort();
    Files.createDirectories(storage.getParent());
    Files.writeString(portFile, addr);
    return RaftConfig.builder("m1", addr, storage).peer("m1", addr).clusterId("enc-test").snapshotEvery(20)
        .dataKey(key).build();
  }

  /** 30 secrets whose label holds {@code marker}; a snapshot after 20 entries, the rest in the log only. */
  private static Path writeSecretsWithMarker(Path storage, AesGcmKey key, String marker) throws Exception {
    RaftConfig cfg = config(storage, key);
    try (RaftStore s = RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure())) {
      MemoryStore store = s.store();
      for (int i = 0; i < 30; i++) {
        String name = "s" + i;
        store.update(tx -> {
          Secret sec = new Secret();
          sec.spec = new Secret.Spec();
          sec.spec.name = name;
          sec.spec.labels = Map.of("marker", marker, "pem", "-----BEGIN PRIVATE KEY-----");
          return tx.secrets().create(sec);
        });
      }
      MiniCluster.await(Duration.ofSeconds(10), "a snapshot", () -> s.node().status().snapshotIndex() > 0 ? 1 : null);
    }
    return storage;
  }

  private static List<Path> filesNamed(Path root, String prefix) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
  }

  private static List<Path> filesContaining(Path root, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).filter(p -> {
        try {
          return indexOf(Files.readAllBytes(p), needle, 0) >= 0;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Changes one byte of the encrypted store batch of the segment's last store entry and writes the entry's
   * CRC32C again (Ratis' format: varint length, the entry, 4-byte checksum of both), so only the AES-GCM tag can
   * notice.
   */
  private static void flipByteInLastEntryKeepingChecksum(Path segment) throws IOException {
    byte[] all = Files.readAllBytes(segment);
    int pos = SegmentedRaftLogFormat.getHeaderLength();
    int lastStart = -1;
    int lastLength = 0;
    int lastVarint = 0;
    while (pos < all.length && !SegmentedRaftLogFormat.isTerminator(all[pos])) {
      CodedInputStream in = CodedInputStream.newInstance(all, pos, all.length - pos);
      int length = in.readRawVarint32();
      int varint = CodedOutputStream.computeUInt32SizeNoTag(length);
      LogEntryProto e = LogEntryProto.parseFrom(ByteBuffer.wrap(all, pos + varint, length));
      if (e.hasStateMachineLogEntry()) {
        lastStart = pos;
        lastLength = length;
        lastVarint = varint;
      }
      pos += varint + length + 4;
    }
    assertTrue(lastStart >= 0, "a store entry in " + segment);
    LogEntryProto e = LogEntryProto.parseFrom(ByteBuffer.wrap(all, lastStart + lastVarint, lastLength));
    byte[] data = e.getStateMachineLogEntry().getLogData().toByteArray();
    int at = indexOf(all, data, lastStart);
    assertTrue(at > 0 && at < lastStart + lastVarint + lastLength, "the entry's data inside it");
    all[at + data.length / 2] ^= 0x01;
    PureJavaCrc32C crc = new PureJavaCrc32C();
    crc.update(all, lastStart, lastVarint + lastLength);
    ByteBuffer.wrap(all, lastStart + lastVarint + lastLength, 4).putInt((int) crc.getValue());
    Files.write(segment, all);
  }
}
