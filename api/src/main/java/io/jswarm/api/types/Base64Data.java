package io.jswarm.api.types;

import io.jswarm.api.errors.InvalidArgumentException;
import java.util.Base64;

/**
 * The payload encoding of {@code Secret.Spec.Data} and {@code Config.Spec.Data}: Go encodes {@code []byte} as
 * standard padded base64. Decoding also accepts the URL-safe alphabet (the documentation names it), missing
 * padding, and line breaks, as Go's decoder skips them.
 */
public final class Base64Data {
  private Base64Data() {}

  /** Standard base64 with padding, as Docker writes it. */
  public static String encode(byte[] data) {
    return Base64.getEncoder().encodeToString(data);
  }

  /**
   * Decodes a payload.
   *
   * @throws InvalidArgumentException when {@code data} is not base64
   */
  public static byte[] decode(String data) {
    String s = data.replace("\r", "").replace("\n", "");
    try {
      return (s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("data is not valid base64 (" + e.getMessage() + ")");
    }
  }
}
