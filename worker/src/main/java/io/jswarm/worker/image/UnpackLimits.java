package io.jswarm.worker.image;

/**
 * What one image layer may unpack to on this node: at most {@code maxBytes} of uncompressed tar (file contents
 * counted by their real size, so a sparse entry counts as the file it makes) and at most {@code maxEntries}
 * entries. A small gzip layer can expand a thousandfold and a sparse tar entry to any size; without a bound
 * either could fill the disk that also holds the Raft log. A layer past a limit is refused and nothing of it
 * stays on disk. Set with {@code jswarm daemon --image-max-layer-size} and {@code --image-max-layer-entries}.
 */
public record UnpackLimits(long maxBytes, long maxEntries) {
  /** 32 GiB and one million entries per layer: far above real images, far below a full disk. */
  public static final UnpackLimits DEFAULT = new UnpackLimits(32L << 30, 1_000_000);

  public UnpackLimits {
    if (maxBytes < 1 || maxEntries < 1) {
      throw new IllegalArgumentException("image layer limits must be positive, got " + maxBytes + " bytes and "
          + maxEntries + " entries");
    }
  }
}
