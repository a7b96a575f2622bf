package io.jswarm.cli.daemon;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.consensus.crypto.AesGcmKey;
import io.jswarm.transport.pki.JoinClient;
import io.jswarm.transport.pki.KeySeal;
import io.jswarm.transport.pki.NodeCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.AEADBadTagException;

/**
 * This node's keys at rest, as Docker keeps them:
 * <ul>
 *   <li>{@code <data-root>/swarm/kek} (0600): the key-encryption key (KEK), 32 random bytes. Absent while the
 *       swarm is autolocked: the KEK is then the manager unlock key, held in memory only once a user gave it.
 *   <li>{@code <data-root>/swarm/raft-dek} (0600, managers): the cluster's data encryption key (DEK, the key of
 *       the Raft log and snapshots, {@code RaftConfig.dataKey}) sealed with the KEK.
 *   <li>{@code <data-root>/certificates/swarm-node.key} (0600): the node's TLS private key sealed with the KEK
 *       ({@link KeySeal}), so no file of the data root holds a private key in the clear.
 * </ul>
 * A manager whose KEK file is absent starts {@link #locked()}; {@link #unlock} takes the unlock key and checks
 * it against the sealed DEK. {@link #rewrap} moves everything to another KEK (autolock on/off, key rotation).
 */
public final class NodeKeys implements KeySeal {
  private static final String KEK_FILE = "kek";
  private static final String DEK_FILE = "raft-dek";
  private static final String SEALED_HEADER = "jswarm sealed key v1\n";
  private static final byte[] DEK_LABEL = "jswarm raft data key v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NODE_KEY_LABEL = "jswarm node key v1".getBytes(StandardCharsets.US_ASCII);

  private final Path swarmDir;
  private final Path certDir;
  private final SecureRandom random;
  /** Null while locked (or before this node is in a swarm). */
  private volatile AesGcmKey kek;

  private NodeKeys(Path swarmDir, Path certDir, SecureRandom random, AesGcmKey kek) {
    this.swarmDir = swarmDir;
    this.certDir = certDir;
    this.random = random;
    this.kek = kek;
  }

  /** The keys of {@code opts}'s data root: the stored KEK, if any. */
  static NodeKeys load(DaemonOptions opts, SecureRandom random) throws IOException {
    return load(opts.dataRoot(), opts.certDir(), random);
  }

  /** The keys of a data root whose certificates are in {@code certDir} ({@code <data-root>/certificates}). */
  public static NodeKeys load(Path dataRoot, Path certDir, SecureRandom random) throws IOException {
    Path swarmDir = dataRoot.resolve("swarm");
    Path kekFile = swarmDir.resolve(KEK_FILE);
    AesGcmKey kek = null;
    if (Files.exists(kekFile)) {
      try {
        kek = AesGcmKey.of(Files.readAllBytes(kekFile));
      } catch (IllegalArgumentException e) {
        throw new IOException(kekFile + " is damaged (" + e.getMessage() + "); restore it from a backup, or leave "
            + "the swarm and join it again", e);
      }
    }
    return new NodeKeys(swarmDir, certDir, random, kek);
  }

  /** A manager with a sealed data key and no KEK to open it: autolocked, waiting for the unlock key. */
  public boolean locked() {
    return kek == null && Files.exists(swarmDir.resolve(DEK_FILE));
  }

  /** Whether the KEK is in the KEK file (autolock off), rather than only in memory. */
  boolean kekStored() {
    return Files.exists(swarmDir.resolve(KEK_FILE));
  }

  /**
   * For a node entering a swarm: a new KEK, stored in the KEK file; or, with autolock, {@code unlockKey} as KEK
   * and no file.
   */
  synchronized void create(AesGcmKey unlockKey) throws IOException {
    Files.createDirectories(swarmDir);
    Files.setPosixFilePermissions(swarmDir, PosixFilePermissions.fromString("rwx------"));
    if (unlockKey == null) {
      AesGcmKey k = AesGcmKey.generate(random);
      writeSecret(swarmDir.resolve(KEK_FILE), k.raw());
      kek = k;
    } else {
      Files.deleteIfExists(swarmDir.resolve(KEK_FILE));
      kek = unlockKey;
    }
  }

  /**
   * Unlocks with {@code candidate}, the KEK a user typed as unlock key.
   *
   * @throws InvalidArgumentException Docker's "swarm could not be unlocked: invalid key" when it does not open
   *     the sealed data key
   */
  synchronized void unlock(AesGcmKey candidate) throws IOException {
    try {
      candidate.open(Files.readAllBytes(swarmDir.resolve(DEK_FILE)), DEK_LABEL);
    } catch (AEADBadTagException e) {
      throw new InvalidArgumentException("swarm could not be unlocked: invalid key");
    }
    kek = candidate;
  }

  /** The cluster's data key, or null when this node holds none (a worker). */
  AesGcmKey dataKey() throws IOException {
    Path f = swarmDir.resolve(DEK_FILE);
    if (!Files.exists(f)) {
      return null;
    }
    try {
      return AesGcmKey.of(requireKek().open(Files.readAllBytes(f), DEK_LABEL));
    } catch (AEADBadTagException e) {
      throw new IOException(f + " does not open with this node's key-encryption key (" + e.getMessage() + "); "
          + "restore it from a backup, or leave the swarm and join it again");
    }
  }

  /** Stores the cluster's data key sealed with the KEK. */
  synchronized void storeDataKey(AesGcmKey dek) throws IOException {
    Files.createDirectories(swarmDir);
    writeSecret(swarmDir.resolve(DEK_FILE), requireKek().seal(dek.raw(), DEK_LABEL));
  }

  /** After a demotion: this node no longer keeps the cluster's data key. */
  synchronized void deleteDataKey() throws IOException {
    Files.deleteIfExists(swarmDir.resolve(DEK_FILE));
  }

  /**
   * Seals the data key and the node's TLS key with {@code newKek}; {@code store} writes it to the KEK file
   * (autolock off), otherwise the KEK file is removed (autolock on: the new KEK is the unlock key). The KEK file
   * is written first and removed last, so a crash in between leaves a node that still opens.
   */
  synchronized void rewrap(AesGcmKey newKek, boolean store) throws IOException {
    AesGcmKey dek = dataKey();
    Path nodeKey = certDir.resolve(NodeCredentials.KEY_FILE);
    byte[] pem = Files.exists(nodeKey) ? open(Files.readAllBytes(nodeKey), nodeKey) : null;
    if (store) {
      writeSecret(swarmDir.resolve(KEK_FILE), newKek.raw());
    }
    AesGcmKey old = kek;
    kek = newKek;
    try {
      if (dek != null) {
        writeSecret(swarmDir.resolve(DEK_FILE), newKek.seal(dek.raw(), DEK_LABEL));
      }
      if (pem != null) {
        writeSecret(nodeKey, seal(pem));
      }
    } catch (IOException | RuntimeException e) {
      kek = old;
      throw e;
    }
    if (!store) {
      Files.deleteIfExists(swarmDir.resolve(KEK_FILE));
    }
  }

  /**
   * Makes the files follow the cluster's autolock setting: sealed with {@code unlockKey} and no KEK file while
   * autolock is on, a stored KEK while it is off. Does nothing when they already do.
   */
  synchronized void follow(AesGcmKey unlockKey) throws IOException {
    if (unlockKey != null) {
      if (!unlockKey.sameAs(kek) || kekStored()) {
        rewrap(unlockKey, false);
      }
    } else if (!kekStored()) {
      rewrap(AesGcmKey.generate(random), true);
    }
  }

  /** Leaving the swarm: both key files go. */
  synchronized void forget() throws IOException {
    Files.deleteIfExists(swarmDir.resolve(DEK_FILE));
    Files.deleteIfExists(swarmDir.resolve(KEK_FILE));
    kek = null;
  }

  private AesGcmKey requireKek() {
    AesGcmKey k = kek;
    if (k == null) {
      throw new UnavailableException(io.jswarm.manager.controlapi.SwarmLifecycle.LOCKED);
    }
    return k;
  }

  // ---- the node's TLS credentials and the cluster's data key, through these keys ----

  /** This node's TLS credentials, the key file opened with the key-encryption key. */
  NodeCredentials loadCredentials() throws IOException {
    return NodeCredentials.load(certDir, this);
  }

  /** Writes this node's credentials (directory 0700), the private key sealed with the key-encryption key. */
  void saveCredentials(NodeCredentials c) throws IOException {
    Files.createDirectories(certDir);
    Files.setPosixFilePermissions(certDir, PosixFilePermissions.fromString("rwx------"));
    c.save(certDir, this);
  }

  /**
   * Fetches the cluster's data key from the first manager in {@code managerAddrs} that gives it (mutual TLS with
   * {@code creds}, a manager's certificate) and stores it sealed: before a new manager's Raft member starts.
   */
  void fetchDataKey(List<String> managerAddrs, NodeCredentials creds) throws InterruptedException, IOException {
    JoinClient client = new JoinClient();
    List<String> errors = new ArrayList<>();
    for (String addr : managerAddrs) {
      try {
        storeDataKey(AesGcmKey.of(client.fetchDataKey(addr, creds)));
        return;
      } catch (IOException | RuntimeException e) {
        errors.add(addr + ": " + e.getMessage());
      }
    }
    throw new UnavailableException("no manager gave this node the cluster's data key: " + String.join("; ", errors));
  }

  // ---- KeySeal: the node's TLS key file ----

  @Override
  public byte[] seal(byte[] pem) {
    byte[] sealed = requireKek().seal(pem, NODE_KEY_LABEL);
    return (SEALED_HEADER + Base64.getEncoder().encodeToString(sealed) + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public byte[] open(byte[] stored, Path file) throws IOException {
    String text = new String(stored, StandardCharsets.US_ASCII);
    if (!text.startsWith(SEALED_HEADER)) {
      throw new IOException(file + " is not a sealed key file; leave the swarm and join it again");
    }
    try {
      return requireKek().open(Base64.getDecoder().decode(text.substring(SEALED_HEADER.length()).strip()),
          NODE_KEY_LABEL);
    } catch (AEADBadTagException | IllegalArgumentException e) {
      throw new IOException(file + " does not open with this node's key-encryption key (" + e.getMessage()
          + "); restore it from a backup, or leave the swarm and join it again", e);
    }
  }

  /** Writes atomically, the file created 0600 before anything is written into it. */
  private static void writeSecret(Path file, byte[] content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, content);
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
