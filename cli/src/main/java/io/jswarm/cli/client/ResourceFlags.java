package io.jswarm.cli.client;

import io.jswarm.api.types.Limit;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.Resources;
import picocli.CommandLine.Option;

/**
 * The {@code --reserve-*} and {@code --limit-*} flags of {@code service create} and {@code service update} (a picocli
 * mixin, also filled by {@code stack deploy}); null means "not given", so one merge serves a new task template and an
 * update of one. Invalid values are refused with a message naming the flag.
 */
public final class ResourceFlags {
  @Option(names = "--reserve-cpu", converter = FlagConverters.Cpus.class, description = "Reserve CPUs, e.g. 0.5.")
  public Long reserveCpu;

  @Option(names = "--reserve-memory", converter = FlagConverters.Bytes.class, description = "Reserve memory, e.g. 64M.")
  public Long reserveMemory;

  @Option(names = "--limit-cpu", converter = FlagConverters.Cpus.class, description = "Limit CPUs, e.g. 1.5.")
  public Long limitCpu;

  @Option(names = "--limit-memory", converter = FlagConverters.Bytes.class, description = "Limit memory, e.g. 1g.")
  public Long limitMemory;

  @Option(names = "--limit-pids", description = "Limit the number of processes in each container (0 = unlimited).")
  public Long limitPids;

  @Option(names = "--limit-bandwidth", description = "Limit each task's network interfaces to RATE bits/s in each "
      + "direction, e.g. 10mbit, 1.5g; 0 = unlimited (jswarm extension).")
  public String limitBandwidth;

  @Option(names = "--blkio-weight", description = "Block IO weight, relative: 10-1000, 0 = default (jswarm extension; "
      + "needs the BFQ I/O scheduler on the device).")
  public Long blkioWeight;

  /** {@code have} (may be null) with the flags given applied; {@code have} itself when none was. */
  ResourceRequirements merge(ResourceRequirements have) {
    boolean limits = limitCpu != null || limitMemory != null || limitPids != null || limitBandwidth != null
        || blkioWeight != null;
    if (reserveCpu == null && reserveMemory == null && !limits) {
      return have;
    }
    ResourceRequirements r = have == null ? new ResourceRequirements() : have;
    if (reserveCpu != null || reserveMemory != null) {
      if (r.reservations == null) {
        r.reservations = new Resources();
      }
      if (reserveCpu != null) {
        r.reservations.nanoCPUs = reserveCpu;
      }
      if (reserveMemory != null) {
        r.reservations.memoryBytes = reserveMemory;
      }
    }
    if (limits) {
      if (r.limits == null) {
        r.limits = new Limit();
      }
      if (limitCpu != null) {
        r.limits.nanoCPUs = limitCpu;
      }
      if (limitMemory != null) {
        r.limits.memoryBytes = limitMemory;
      }
      if (limitPids != null) {
        r.limits.pids = pidsLimit(limitPids);
      }
      if (blkioWeight != null) {
        r.limits.blkioWeight = blkioWeight(blkioWeight);
      }
      if (limitBandwidth != null) {
        r.limits.bandwidth = bandwidth(limitBandwidth);
      }
    }
    return r;
  }

  /** {@code --limit-bandwidth}: bits per second, 0 for unlimited. */
  static long bandwidth(String value) {
    try {
      return value.trim().equals("0") ? 0 : io.jswarm.api.validation.BitRate.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--limit-bandwidth: " + e.getMessage());
    }
  }

  /** A {@code --blkio-weight} value, checked. */
  static long blkioWeight(long value) {
    if (value != 0 && (value < 10 || value > 1000)) {
      throw new UsageException("invalid --blkio-weight " + value + ": give 10-1000, or 0 for the default");
    }
    return value;
  }

  /** A {@code --limit-pids} value, checked. */
  static long pidsLimit(long value) {
    if (value < 0) {
      throw new UsageException("invalid --limit-pids " + value + ": cannot be negative (0 = unlimited)");
    }
    return value;
  }
}
