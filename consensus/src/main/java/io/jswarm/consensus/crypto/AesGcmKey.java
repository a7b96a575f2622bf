package io.jswarm.consensus.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A 256-bit AES key used with GCM (authenticated encryption): what encrypts the Raft log entries and snapshots
 * (the data encryption key, DEK) and what wraps that key on disk (the key encryption key, KEK).
 *
 * <p>A sealed value is {@code 0x01 || 12-byte random nonce || ciphertext || 16-byte tag}. The caller's
 * associated data (a fixed label per use: log entry, snapshot, wrapped key) is authenticated with it, so a value
 * sealed for one use does not open as another. {@link #open} fails on any changed byte. Thread-safe.
 */
public final class AesGcmKey {
  public static final int KEY_BYTES = 32;
  private static final byte FORMAT = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  /** Bytes a sealed value has beyond its plaintext. */
  public static final int OVERHEAD = 1 + NONCE_BYTES + TAG_BITS / 8;

  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no AES/GCM: " + e.getMessage(), e);
    }
  });

  private final SecretKeySpec key;
  private final SecureRandom random;

  private AesGcmKey(byte[] raw, SecureRandom random) {
    if (raw == null || raw.length != KEY_BYTES) {
      throw new IllegalArgumentException("an AES-256 key has " + KEY_BYTES + " bytes, got "
          + (raw == null ? "none" : raw.length));
    }
    this.key = new SecretKeySpec(raw, "AES");
    this.random = random;
  }

  /** A new random key. */
  public static AesGcmKey generate(SecureRandom random) {
    byte[] raw = new byte[KEY_BYTES];
    random.nextBytes(raw);
    return new AesGcmKey(raw, random);
  }

  /** The key of these {@value #KEY_BYTES} bytes. */
  public static AesGcmKey of(byte[] raw) {
    return new AesGcmKey(raw.clone(), new SecureRandom());
  }

  /** The raw key bytes (a copy), for wrapping it under another key. Never log or print them. */
  public byte[] raw() {
    return key.getEncoded();
  }

  /** Encrypts and authenticates {@code plain} together with {@code label}. */
  public byte[] seal(byte[] plain, byte[] label) {
    byte[] out = new byte[OVERHEAD + plain.length];
    out[0] = FORMAT;
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
    try {
      Cipher c = CIPHERS.get();
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(label);
      c.doFinal(plain, 0, plain.length, out, 1 + NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Decrypts what {@link #seal} made with this key and {@code label}.
   *
   * @throws AEADBadTagException when the value was sealed with another key or label, or any byte of it changed
   */
  public byte[] open(byte[] sealed, byte[] label) throws AEADBadTagException {
    if (sealed.length < OVERHEAD || sealed[0] != FORMAT) {
      throw new AEADBadTagException(sealed.length < OVERHEAD ? "too short to be encrypted data"
          : "not encrypted data (format byte " + sealed[0] + ")");
    }
    try {
      Cipher c = CIPHERS.get();
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(sealed, 1, 1 + NONCE_BYTES)));
      c.updateAAD(label);
      return c.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new AEADBadTagException("authentication failed: wrong key, or the data was changed");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed: " + e.getMessage(), e);
    }
  }

  /** Whether {@code other} is the same key (constant-time comparison). */
  public boolean sameAs(AesGcmKey other) {
    return other != null && java.security.MessageDigest.isEqual(key.getEncoded(), other.key.getEncoded());
  }

  @Override
  public String toString() {
    return "AesGcmKey[hidden]";
  }
}
