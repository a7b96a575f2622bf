package io.jswarm.consensus.raft;

import io.jswarm.consensus.store.StoreApplier;
import java.io.File;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;

/**
 * The Ratis state machine: a thin adapter that decrypts each committed entry ({@link DataEncryption}) and hands
 * its batch, or each batch of a group ({@link LogEntryFormat}), to the {@link StoreApplier}, nothing else. Apply is
 * pure (no I/O); snapshot files are written and read only in {@link #takeSnapshot} and {@link #loadLatest}, and a
 * snapshot that fails its checksum stops the manager.
 */
final class StoreStateMachine extends BaseStateMachine {
  /** Snapshots kept on disk; older ones are deleted after each new one. */
  private static final int SNAPSHOTS_RETAINED = 2;

  private final StoreApplier applier;
  private final DataEncryption encryption;
  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  /** Told when this member learns of a new leader (itself included); set once by {@link RaftNode}. */
  private volatile java.util.function.Consumer<String> leaderChanged = id -> {};
  /** Told, with the index of its term's first entry, when this member as leader has applied that entry. */
  private volatile java.util.function.LongConsumer leaderReady = index -> {};
  /** The index of the last configuration entry applied: a leader's first entry of its term is one (Ratis 3). */
  private volatile long lastConfigurationIndex = -1;

  StoreStateMachine(StoreApplier applier, DataEncryption encryption) {
    this.applier = applier;
    this.encryption = encryption;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    getLifeCycle().startAndTransition(this::loadLatest, CorruptStateException.class);
  }

  /** Ratis pauses the state machine before it publishes a snapshot installed from the leader. */
  @Override
  public void pause() {
    getLifeCycle().transition(LifeCycle.State.PAUSING);
    getLifeCycle().transition(LifeCycle.State.PAUSED);
  }

  /** Called by Ratis after a snapshot was installed from the leader: replace the store with it. */
  @Override
  public void reinitialize() throws IOException {
    loadLatest();
    getLifeCycle().transition(LifeCycle.State.STARTING);
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  private void loadLatest() throws IOException {
    SingleFileSnapshotInfo latest = storage.loadLatestSnapshot();
    if (latest == null) {
      return;
    }
    File file = latest.getFile().getPath().toFile();
    if (latest.getFile().getFileDigest() != null
        && !MD5FileUtil.computeMd5ForFile(file).equals(latest.getFile().getFileDigest())) {
      throw new CorruptStateException(file.toPath(), "MD5 does not match its .md5 file", null);
    }
    SnapshotFile.read(file.toPath(), applier::restoreSnapshot, encryption);
    if (applier.appliedIndex() != latest.getIndex()) {
      throw new CorruptStateException(file.toPath(), "it holds index " + applier.appliedIndex()
          + " but its name says " + latest.getIndex(), null);
    }
    setLastAppliedTermIndex(latest.getTermIndex());
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /**
   * On the leader, before an entry is appended: a batch that does not decrypt with the cluster's data key (a
   * member proposing in the clear, or with another key) is refused, so nothing undecryptable is ever committed;
   * at start such an entry could not be told from one changed on disk.
   */
  @Override
  public TransactionContext startTransaction(org.apache.ratis.protocol.RaftClientRequest request) throws IOException {
    TransactionContext trx = super.startTransaction(request);
    if (encryption.enabled()) {
      try {
        encryption.openEntry(request.getMessage().getContent().toByteArray());
      } catch (javax.crypto.AEADBadTagException e) {
        trx.setException(new IllegalArgumentException("refused: the batch does not decrypt with the cluster's data"
            + " key (" + e.getMessage() + ")"));
      }
    }
    return trx;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    Thread self = Thread.currentThread();
    if (self.getPriority() != Thread.MAX_PRIORITY) {
      // every linearizable read waits for this thread; with -XX:ThreadPriorityPolicy=1 (root) it gets a lower nice
      // value than the leader's background loops (docs/scale.md). Without that flag Java ignores priorities.
      self.setPriority(Thread.MAX_PRIORITY);
    }
    LogEntryProto entry = trx.getLogEntry();
    long index = entry.getIndex();
    byte[] reply;
    try {
      byte[] data = encryption.openEntry(entry.getStateMachineLogEntry().getLogData().toByteArray());
      reply = LogEntryFormat.isGroup(data)
          ? LogEntryFormat.encodeResults(applier.applyGroup(index, LogEntryFormat.batches(data)))
          : applier.apply(index, data).encode();
    } catch (javax.crypto.AEADBadTagException e) {
      // Checked at start (LogVerifier); an entry that fails here came over the wire from a manager with another key
      return CompletableFuture.failedFuture(new IllegalStateException("cannot decrypt committed log entry " + index
          + " with the cluster's data key: " + e.getMessage(), e));
    } catch (RuntimeException e) {
      // A committed entry that cannot be applied: every manager would fail the same way. Stop applying.
      return CompletableFuture.failedFuture(new IllegalStateException(
          "cannot apply committed log entry " + index + ": " + e.getMessage(), e));
    }
    updateLastAppliedTermIndex(entry.getTerm(), index);
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
  }

  void onLeaderChanged(java.util.function.Consumer<String> listener) {
    leaderChanged = listener;
  }

  /** Ratis tells this member's state machine whenever it learns of a new leader; nothing of the store changes. */
  @Override
  public void notifyLeaderChanged(org.apache.ratis.protocol.RaftGroupMemberId member,
      org.apache.ratis.protocol.RaftPeerId newLeaderId) {
    leaderChanged.accept(newLeaderId == null ? null : newLeaderId.toString());
  }

  void onLeaderReady(java.util.function.LongConsumer listener) {
    leaderReady = listener;
  }

  @Override
  public void notifyConfigurationChanged(long term, long index,
      org.apache.ratis.proto.RaftProtos.RaftConfigurationProto newRaftConfiguration) {
    lastConfigurationIndex = index;
  }

  /**
   * Ratis calls this on its apply thread while it applies the leader's first entry of its term (a configuration
   * entry, just after {@link #notifyConfigurationChanged} for it and before {@link #notifyTermIndexUpdated}).
   */
  @Override
  public void notifyLeaderReady() {
    leaderReady.accept(lastConfigurationIndex);
  }

  /** Entries without store content (leader no-op, configuration changes) still advance the applied index. */
  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    super.notifyTermIndexUpdated(term, index);
    applier.skip(index);
  }

  /** Read-index queries: by the time Ratis runs this, everything up to the read index is applied here. */
  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(Message.valueOf(Long.toString(applier.appliedIndex())));
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) {
      return -1; // nothing applied yet: nothing to snapshot
    }
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    SnapshotFile.write(file.toPath(), applier::writeSnapshot, encryption);
    var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    storage.cleanupOldSnapshots(new SnapshotRetentionPolicy() {
      @Override
      public int getNumSnapshotsRetained() {
        return SNAPSHOTS_RETAINED;
      }
    });
    return last.getIndex();
  }
}
