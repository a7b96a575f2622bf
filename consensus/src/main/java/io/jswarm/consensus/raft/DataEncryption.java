package io.jswarm.consensus.raft;

import io.jswarm.consensus.crypto.AesGcmKey;
import java.nio.charset.StandardCharsets;
import javax.crypto.AEADBadTagException;

/**
 * Encryption at rest of what the state machine puts on disk: the store batch inside each Raft log entry (sealed
 * by the proposer before Ratis sees it, opened in apply) and the snapshot files. One data encryption key per
 * cluster, the same on every manager, since Ratis replicates and stores each entry as the leader wrote it.
 * {@link #OFF} leaves everything in the clear (tests and the benchmark's comparison only).
 */
final class DataEncryption {
  static final DataEncryption OFF = new DataEncryption(null);

  private static final byte[] ENTRY = "jswarm raft log entry v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SNAPSHOT = "jswarm raft snapshot v1".getBytes(StandardCharsets.US_ASCII);

  private final AesGcmKey key;

  private DataEncryption(AesGcmKey key) {
    this.key = key;
  }

  static DataEncryption of(AesGcmKey key) {
    return key == null ? OFF : new DataEncryption(key);
  }

  boolean enabled() {
    return key != null;
  }

  byte[] sealEntry(byte[] batch) {
    return key == null ? batch : key.seal(batch, ENTRY);
  }

  /** @throws AEADBadTagException the entry was changed, or written with another key (or none) */
  byte[] openEntry(byte[] data) throws AEADBadTagException {
    return key == null ? data : key.open(data, ENTRY);
  }

  byte[] sealSnapshot(byte[] body) {
    return key == null ? body : key.seal(body, SNAPSHOT);
  }

  byte[] openSnapshot(byte[] body) throws AEADBadTagException {
    return key == null ? body : key.open(body, SNAPSHOT);
  }
}
