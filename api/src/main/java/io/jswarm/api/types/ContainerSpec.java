package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The container each task runs (Docker {@code ContainerSpec}). {@code StopGracePeriod} is nanoseconds;
 * {@code Command} replaces the image's entrypoint and {@code Args} its command, as in Docker.
 */
public class ContainerSpec {
  public String image;
  public Map<String, String> labels;
  public List<String> command;
  public List<String> args;
  public String hostname;
  public List<String> env;
  public String dir;
  public String user;
  public List<String> groups;
  public Privileges privileges;
  @JsonProperty("TTY")
  public Boolean tty;
  public Boolean openStdin;
  public Boolean readOnly;
  public List<Mount> mounts;
  public String stopSignal;
  public Long stopGracePeriod;
  public Healthcheck healthcheck;
  public List<String> hosts;
  @JsonProperty("DNSConfig")
  public DNSConfig dnsConfig;
  public List<SecretReference> secrets;
  public List<ConfigReference> configs;
  public String isolation;
  public Boolean init;
  public Map<String, String> sysctls;
  public List<String> capabilityAdd;
  public List<String> capabilityDrop;
  public List<Ulimit> ulimits;
  /**
   * jswarm extension (Docker's container {@code HostConfig.UsernsMode}, which swarm services lack): {@value #USERNS_HOST}
   * runs the task in the host's user namespace on a node whose daemon has {@code --userns-remap}; empty or absent
   * means the daemon's choice.
   */
  public String usernsMode;

  /** {@link #usernsMode} value: no user namespace for this task. */
  public static final String USERNS_HOST = "host";

  /** True when the spec opts out of the daemon's user namespace remapping. */
  public static boolean usernsHost(ContainerSpec c) {
    return c != null && USERNS_HOST.equals(c.usernsMode);
  }

  /**
   * Security options (Docker {@code Privileges}). {@code Seccomp} and {@code NoNewPrivileges} are applied by the
   * container executor; unlike Docker, a container gets no_new_privs unless {@code NoNewPrivileges} is
   * {@code false} (null means the default: on).
   */
  public static class Privileges {
    public CredentialSpec credentialSpec;
    @JsonProperty("SELinuxContext")
    public SELinuxContext seLinuxContext;
    public SeccompOpts seccomp;
    public Boolean noNewPrivileges;

    /** Whether the container runs with no_new_privs: yes unless explicitly turned off. */
    public static boolean noNewPrivileges(Privileges p) {
      return p == null || p.noNewPrivileges == null || p.noNewPrivileges;
    }
  }

  /**
   * The container's seccomp filter (Docker {@code SeccompOpts}): {@code Mode} {@value SeccompOpts#DEFAULT}
   * (jswarm's default profile; also when empty), {@value SeccompOpts#UNCONFINED} (no filter) or
   * {@value SeccompOpts#CUSTOM} with {@code Profile}: a profile in Docker's seccomp JSON format (see
   * {@link SeccompProfile}), base64-encoded as Docker's Go client sends a byte slice, or the JSON text itself.
   */
  public static class SeccompOpts {
    public static final String DEFAULT = "default";
    public static final String UNCONFINED = "unconfined";
    public static final String CUSTOM = "custom";
    public String mode;
    public String profile;
  }

  /** Windows managed service account (Docker {@code CredentialSpec}): one of Config, File or Registry. */
  public static class CredentialSpec {
    public String config;
    public String file;
    public String registry;
  }

  /** SELinux labels of the container (Docker {@code SELinuxContext}). */
  public static class SELinuxContext {
    public Boolean disable;
    public String user;
    public String role;
    public String type;
    public String level;
  }

  /** resolv.conf settings (Docker {@code DNSConfig}). */
  public static class DNSConfig {
    public List<String> nameservers;
    public List<String> search;
    public List<String> options;
  }

  /** A secret exposed as a file (Docker {@code SecretReference}); SecretID and SecretName are both required. */
  public static class SecretReference {
    public FileTarget file;
    @JsonProperty("SecretID")
    public String secretId;
    public String secretName;
  }

  /**
   * A config exposed as a file or used by the runtime (Docker {@code ConfigReference}); exactly one of
   * {@code File} and {@code Runtime}.
   */
  public static class ConfigReference {
    public FileTarget file;
    public RuntimeTarget runtime;
    @JsonProperty("ConfigID")
    public String configId;
    public String configName;
  }

  /**
   * Where a secret or config appears in the container (Docker {@code SecretReferenceFileTarget}): a file name
   * (relative names go under /run/secrets or the root), owner and permission bits.
   */
  public static class FileTarget {
    public String name;
    @JsonProperty("UID")
    public String uid;
    @JsonProperty("GID")
    public String gid;
    public Long mode;
  }

  /** A config consumed by the runtime rather than mounted (Docker {@code ConfigReferenceRuntimeTarget}); empty. */
  public static class RuntimeTarget {}

  /** An rlimit (Docker {@code Ulimit}), e.g. {@code nofile} soft 1024 hard 2048. */
  public static class Ulimit {
    public String name;
    public Long soft;
    public Long hard;
  }
}
