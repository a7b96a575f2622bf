package io.jswarm.worker.volume;

import java.util.Map;

/**
 * A volume as the Docker Engine API shows it ({@code GET /volumes/{name}}): {@code UsageData} only when sizes were
 * asked for ({@code Size} in bytes of {@code _data}, {@code RefCount} the tasks using it).
 */
public class Volume {
  public String name;
  public String driver;
  public String mountpoint;
  public String createdAt;
  public Map<String, String> labels;
  public String scope;
  public Map<String, String> options;
  /**
   * Docker's driver-specific {@code Status}: for a volume with a size, {@code SizeLimit}, {@code Used} and
   * {@code Available} bytes of its file system; absent otherwise.
   */
  public Map<String, Object> status;
  public UsageData usageData;

  /** Docker's {@code VolumeUsageData}. */
  public static class UsageData {
    public Long size;
    public Long refCount;
  }
}
