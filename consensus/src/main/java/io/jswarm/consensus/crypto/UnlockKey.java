package io.jswarm.consensus.crypto;

import io.jswarm.api.errors.InvalidArgumentException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The manager unlock key of an autolocked swarm, in Docker's text form {@code SWMKEY-1-<base64 of 32 bytes>}:
 * while autolock is on it is each manager's key-encryption key (it wraps the data key and the node's TLS key on
 * disk). It lives in the cluster object of the encrypted Raft store and is shown only by
 * {@code GET /swarm/unlockkey}; never log it.
 */
public final class UnlockKey {
  private static final String PREFIX = "SWMKEY-1-";

  private UnlockKey() {}

  /** A new random key, as text. */
  public static String generate(SecureRandom random) {
    byte[] raw = new byte[AesGcmKey.KEY_BYTES];
    random.nextBytes(raw);
    return PREFIX + Base64.getEncoder().withoutPadding().encodeToString(raw);
  }

  /**
   * The key-encryption key {@code text} stands for.
   *
   * @throws InvalidArgumentException when it is not an unlock key (Docker: "invalid key string")
   */
  public static AesGcmKey parse(String text) {
    String t = text == null ? "" : text.strip();
    if (!t.startsWith(PREFIX)) {
      throw new InvalidArgumentException("UnlockKey: invalid key string: an unlock key looks like SWMKEY-1-...; "
          + "get it with 'jswarm swarm unlock-key' on an unlocked manager");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(t.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("UnlockKey: invalid key string: the part after SWMKEY-1- is not base64");
    }
    if (raw.length != AesGcmKey.KEY_BYTES) {
      throw new InvalidArgumentException("UnlockKey: invalid key string: it holds " + raw.length + " bytes, an "
          + "unlock key " + AesGcmKey.KEY_BYTES);
    }
    return AesGcmKey.of(raw);
  }
}
