package io.jswarm.transport.pki;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How a node's private key file is kept at rest: {@link NodeCredentials#save} hands the PEM text to
 * {@link #seal} and writes what it returns; {@link NodeCredentials#load} reads the file back through
 * {@link #open}. The daemon seals with the node's key-encryption key, so the file never holds the key in the
 * clear; {@link #NONE} writes the PEM as it is (tests, tools on copies).
 */
public interface KeySeal {
  /** The file's content for {@code pem}. */
  byte[] seal(byte[] pem);

  /**
   * The PEM text back from {@code stored}.
   *
   * @throws IOException naming {@code file} when it cannot be opened (another key, changed on disk)
   */
  byte[] open(byte[] stored, Path file) throws IOException;

  /** The PEM in the clear. */
  KeySeal NONE = new KeySeal() {
    @Override
    public byte[] seal(byte[] pem) {
      return pem;
    }

    @Override
    public byte[] open(byte[] stored, Path file) {
      return stored;
    }
  };
}
