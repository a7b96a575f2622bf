package io.jswarm.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.file.Path;

/**
 * nftables through libnftables (the library behind the {@code nft} command): a script in nft syntax is applied
 * as one atomic transaction, or not at all.
 */
public final class Nftables {
  /** The libnftables calls, with their C names. */
  interface Lib extends Library {
    Pointer nft_ctx_new(int flags);

    void nft_ctx_free(Pointer ctx);

    int nft_ctx_buffer_output(Pointer ctx);

    int nft_ctx_buffer_error(Pointer ctx);

    int nft_run_cmd_from_buffer(Pointer ctx, String buf);

    String nft_ctx_get_output_buffer(Pointer ctx);

    String nft_ctx_get_error_buffer(Pointer ctx);
  }

  private static final int NFT_CTX_DEFAULT = 0;
  private static volatile Lib lib;

  private Nftables() {}

  /**
   * Runs {@code script} (nft syntax, several commands separated by newlines or ';') in the caller's network
   * namespace and returns nft's output (for list commands). On failure throws {@link NftablesException} with
   * nft's own error text, which names the line and the part of the script it refused.
   */
  public static String run(String script) {
    Lib l = lib();
    Pointer ctx = l.nft_ctx_new(NFT_CTX_DEFAULT);
    if (ctx == null) {
      throw new NftablesException("nft_ctx_new failed (out of memory?)", script);
    }
    try {
      l.nft_ctx_buffer_output(ctx);
      l.nft_ctx_buffer_error(ctx);
      int rc = l.nft_run_cmd_from_buffer(ctx, script);
      if (rc != 0) {
        String err = l.nft_ctx_get_error_buffer(ctx);
        throw new NftablesException(err == null || err.isBlank() ? "nft failed with code " + rc : err.strip(), script);
      }
      String out = l.nft_ctx_get_output_buffer(ctx);
      return out == null ? "" : out;
    } finally {
      l.nft_ctx_free(ctx);
    }
  }

  /** {@link #run} inside the network namespace named by {@code netns} (null: the caller's namespace). */
  public static String run(Path netns, String script) {
    return NetNs.call(netns, () -> run(script));
  }

  private static Lib lib() {
    Lib l = lib;
    if (l == null) {
      synchronized (Nftables.class) {
        if (lib == null) {
          Lib loaded;
          try {
            loaded = Native.load("nftables", Lib.class);
          } catch (UnsatisfiedLinkError e) {
            try {
              loaded = Native.load("libnftables.so.1", Lib.class);
            } catch (UnsatisfiedLinkError e2) {
              throw new IllegalStateException("libnftables is not installed (Debian package libnftables1): " + e2.getMessage(), e2);
            }
          }
          lib = loaded;
        }
        l = lib;
      }
    }
    return l;
  }

  /** nft refused a script; the message is nft's error text. */
  public static final class NftablesException extends RuntimeException {
    private final String script;

    NftablesException(String message, String script) {
      super("nftables: " + message);
      this.script = script;
    }

    public String script() {
      return script;
    }
  }
}
