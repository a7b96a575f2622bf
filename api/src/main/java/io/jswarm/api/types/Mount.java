package io.jswarm.api.types;

import java.util.Map;

/**
 * A mount in a task's container (Docker {@code mount.Mount}). Type: bind (host path in {@code Source}),
 * volume (named or anonymous volume), tmpfs (no source), npipe, cluster. Only the options block of the
 * mount's own type may be set.
 */
public class Mount {
  public String type;
  public String source;
  public String target;
  public Boolean readOnly;
  public String consistency;
  public BindOptions bindOptions;
  public VolumeOptions volumeOptions;
  public TmpfsOptions tmpfsOptions;

  /** Propagation: private|rprivate|shared|rshared|slave|rslave (Docker {@code BindOptions}). */
  public static class BindOptions {
    public String propagation;
    public Boolean nonRecursive;
  }

  /** Options of a volume mount (Docker {@code VolumeOptions}); {@code NoCopy} skips copying image content in. */
  public static class VolumeOptions {
    public Boolean noCopy;
    public Map<String, String> labels;
    public Driver driverConfig;
  }

  /** Size limit and permission bits of a tmpfs (Docker {@code TmpfsOptions}). */
  public static class TmpfsOptions {
    public Long sizeBytes;
    public Long mode;
  }
}
