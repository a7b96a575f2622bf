package io.jswarm.transport.pki;

import io.jswarm.api.errors.InvalidArgumentException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * A join token, {@code JSWMTKN-1-<CA digest>-<secret>}: the digest ({@value RootCA#DIGEST_LENGTH} base36
 * characters, {@link RootCA#digest()}) lets a joining node check that it talks to the right cluster before it
 * sends anything; the secret ({@value #SECRET_LENGTH} base36 characters, 128 random bits) proves it may join.
 * A cluster has one token for workers and one for managers; rotating replaces the secret.
 */
public final class JoinToken {
  public static final String PREFIX = "JSWMTKN";
  public static final String VERSION = "1";
  public static final int SECRET_LENGTH = 25;

  private final String caDigest;
  private final String secret;

  private JoinToken(String caDigest, String secret) {
    this.caDigest = caDigest;
    this.secret = secret;
  }

  /** A fresh token for the root whose digest is {@code caDigest}. */
  public static JoinToken generate(String caDigest, SecureRandom random) {
    checkBase36(caDigest, RootCA.DIGEST_LENGTH, "the CA digest");
    String s = new BigInteger(128, random).toString(36);
    return new JoinToken(caDigest, "0".repeat(SECRET_LENGTH - s.length()) + s);
  }

  /**
   * Reads a token.
   *
   * @throws InvalidArgumentException {@code invalid join token: ...} naming the part that is wrong
   */
  public static JoinToken parse(String token) {
    if (token == null || token.isBlank()) {
      throw new InvalidArgumentException("invalid join token: the token is empty");
    }
    String t = token.strip();
    String[] parts = t.split("-", -1);
    if (parts.length != 4) {
      throw new InvalidArgumentException("invalid join token: expected " + PREFIX + "-" + VERSION
          + "-<CA digest>-<secret> (4 parts separated by '-'), got " + parts.length + " part(s)");
    }
    if (!parts[0].equals(PREFIX)) {
      throw new InvalidArgumentException("invalid join token: it must start with " + PREFIX + "-, got "
          + abbreviate(parts[0]) + "-");
    }
    if (!parts[1].equals(VERSION)) {
      throw new InvalidArgumentException("invalid join token: unsupported version " + abbreviate(parts[1])
          + " (this jswarm knows version " + VERSION + ")");
    }
    checkBase36(parts[2], RootCA.DIGEST_LENGTH, "the CA digest");
    checkBase36(parts[3], SECRET_LENGTH, "the secret");
    return new JoinToken(parts[2], parts[3]);
  }

  private static void checkBase36(String s, int length, String what) {
    if (s.length() != length) {
      throw new InvalidArgumentException("invalid join token: " + what + " must be " + length
          + " base36 characters, got " + s.length());
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z')) {
        throw new InvalidArgumentException("invalid join token: " + what + " may only contain [0-9a-z], found '"
            + c + "' at position " + (i + 1));
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 12 ? s.substring(0, 12) + "..." : s;
  }

  public String caDigest() {
    return caDigest;
  }

  /**
   * Whether {@code other} is this same token (digest and secret), in time independent of where they differ.
   * A null or malformed {@code other} never matches.
   */
  public boolean secretMatches(String other) {
    if (other == null) {
      return false;
    }
    return MessageDigest.isEqual(toString().getBytes(StandardCharsets.US_ASCII),
        other.strip().getBytes(StandardCharsets.US_ASCII));
  }

  /** The token text: {@code JSWMTKN-1-<digest>-<secret>}. */
  @Override
  public String toString() {
    return PREFIX + "-" + VERSION + "-" + caDigest + "-" + secret;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JoinToken t && secretMatches(t.toString());
  }

  @Override
  public int hashCode() {
    return caDigest.hashCode();
  }
}
