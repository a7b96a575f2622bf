package io.jswarm.consensus.raft;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * On-disk format of a store snapshot: a header line {@code JSWSNAP1 <sha256 of body, hex> <body length>\n}
 * followed by the gzip-compressed store state; {@code JSWSNAP2} when the body is encrypted (AES-GCM,
 * {@link DataEncryption}). Reading verifies length, digest and (encrypted) authenticity before anything is used.
 */
final class SnapshotFile {
  private static final String PLAIN = "JSWSNAP1";
  private static final String ENCRYPTED = "JSWSNAP2";

  interface Writer {
    void write(OutputStream out) throws IOException;
  }

  interface Reader {
    void read(InputStream in) throws IOException;
  }

  private SnapshotFile() {}

  /** Writes atomically: to a temporary file, fsynced, then renamed over {@code file}. */
  static void write(Path file, Writer body, DataEncryption encryption) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
      body.write(gz);
    }
    byte[] bytes = encryption.sealSnapshot(buf.toByteArray());
    String header = (encryption.enabled() ? ENCRYPTED : PLAIN) + " " + HexFormat.of().formatHex(sha256(bytes)) + " " + bytes.length + "\n";
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(header.getBytes(StandardCharsets.US_ASCII)));
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Verifies {@code file} and hands its decompressed body to {@code reader}. */
  static void read(Path file, Reader reader, DataEncryption encryption) throws IOException {
    byte[] all = Files.readAllBytes(file);
    int nl = indexOf(all, (byte) '\n');
    String[] header = nl < 0 ? new String[0]
        : new String(all, 0, nl, StandardCharsets.US_ASCII).split(" ");
    if (header.length != 3 || !(header[0].equals(PLAIN) || header[0].equals(ENCRYPTED))) {
      throw new CorruptStateException(file, "not a jswarm snapshot: bad header", null);
    }
    if (header[0].equals(ENCRYPTED) != encryption.enabled()) {
      throw new CorruptStateException(file, encryption.enabled()
          ? "it is not encrypted, and this manager's store is" : "it is encrypted, and no data key was given", null);
    }
    byte[] body = Arrays.copyOfRange(all, nl + 1, all.length);
    long length;
    try {
      length = Long.parseLong(header[2]);
    } catch (NumberFormatException e) {
      throw new CorruptStateException(file, "bad length in header", e);
    }
    if (length != body.length) {
      throw new CorruptStateException(file, "length " + body.length + ", header says " + length, null);
    }
    String digest = HexFormat.of().formatHex(sha256(body));
    if (!digest.equals(header[1])) {
      throw new CorruptStateException(file, "SHA-256 " + digest + " does not match " + header[1], null);
    }
    try {
      body = encryption.openSnapshot(body);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new CorruptStateException(file, "it does not decrypt with the cluster's data key: " + e.getMessage(), e);
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      reader.read(in);
    } catch (IOException | RuntimeException e) {
      throw new CorruptStateException(file, "checksum fine but content unreadable: " + e.getMessage(), e);
    }
  }

  private static int indexOf(byte[] b, byte x) {
    for (int i = 0; i < Math.min(b.length, 256); i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
