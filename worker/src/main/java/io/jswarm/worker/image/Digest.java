package io.jswarm.worker.image;

import io.jswarm.api.errors.InvalidArgumentException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest, {@code sha256:<64 hex>} (the only algorithm images use in practice). */
public record Digest(String hex) implements Comparable<Digest> {
  private static final Pattern HEX = Pattern.compile("[a-f0-9]{64}");

  public Digest {
    if (hex == null || !HEX.matcher(hex).matches()) {
      throw new InvalidArgumentException("invalid digest hex \"" + hex + "\": want 64 lower-case hex characters");
    }
  }

  /**
   * Parses {@code sha256:<hex>}.
   *
   * @throws InvalidArgumentException naming the value and the form expected
   */
  public static Digest parse(String s) {
    if (s == null || !s.startsWith("sha256:") || !HEX.matcher(s.substring(7)).matches()) {
      throw new InvalidArgumentException("invalid digest \"" + s + "\": want sha256:<64 hex characters>");
    }
    return new Digest(s.substring(7));
  }

  /** True when {@code s} is a well-formed {@code sha256:<hex>}. */
  public static boolean isDigest(String s) {
    return s != null && s.startsWith("sha256:") && HEX.matcher(s.substring(7)).matches();
  }

  public static Digest of(byte[] content) {
    return new Digest(HexFormat.of().formatHex(sha256().digest(content)));
  }

  static Digest of(MessageDigest finished) {
    return new Digest(HexFormat.of().formatHex(finished.digest()));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** The first 12 hex characters, as {@code docker image ls} shows ids. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public String toString() {
    return "sha256:" + hex;
  }

  @Override
  public int compareTo(Digest o) {
    return hex.compareTo(o.hex);
  }
}
