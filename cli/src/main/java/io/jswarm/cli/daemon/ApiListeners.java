package io.jswarm.cli.daemon;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.pki.ApiTls;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's {@code -H} values ({@code unix:///path}, {@code tcp://addr:port}) as HTTP listeners, with dockerd's
 * TLS flags. The API gives root on the host to whoever can use it, so a {@code tcp://} listener that other hosts can
 * reach must check client certificates ({@code --tlsverify}); plain TCP (or TLS without client certificates) on an
 * address other than loopback is refused unless {@code --insecure-tcp} says the operator means it, and then it is
 * logged loudly at every start.
 */
public final class ApiListeners {
  private static final Logger LOG = LoggerFactory.getLogger(ApiListeners.class);

  /**
   * TLS of the {@code tcp://} listeners: {@code tls} serves TLS with {@code cert}/{@code key}; {@code verify} also
   * requires a client certificate signed by {@code caCert} (dockerd's {@code --tlsverify}, which implies
   * {@code --tls}); {@code insecureTcp} allows a non-loopback listener without client verification.
   */
  public record Security(boolean tls, boolean verify, Path caCert, Path cert, Path key, boolean insecureTcp) {
    public static final Security NONE = new Security(false, false, null, null, null, false);

    /** True when TCP listeners serve TLS ({@code --tls} or {@code --tlsverify}). */
    public boolean serveTls() {
      return tls || verify;
    }
  }

  private ApiListeners() {}

  static List<HttpServer.Listener> parse(List<String> hosts, Security security) {
    List<HttpServer.Listener> out = new ArrayList<>();
    SslContext ssl = null;
    for (String h : hosts) {
      if (h.startsWith("unix://")) {
        String path = h.substring("unix://".length());
        if (path.isEmpty() || !path.startsWith("/")) {
          throw new InvalidArgumentException("-H " + h + ": a unix socket needs an absolute path, e.g. unix:///run/jswarm/jswarm.sock");
        }
        out.add(new HttpServer.Unix(Path.of(path)));
      } else if (h.startsWith("tcp://")) {
        HostPort hp = HostPort.parse("-H " + h, h.substring("tcp://".length()), "127.0.0.1", 2375);
        if (!security.verify() && !isLoopback(hp.host())) {
          String what = security.serveTls() ? "TLS without --tlsverify (no client certificate is checked)"
              : "plain TCP without TLS";
          if (!security.insecureTcp()) {
            throw new InvalidArgumentException("-H " + h + ": refusing to serve the API on a non-loopback address with "
                + what + ": anyone who can reach it gets root on this host. Use --tlsverify --tlscacert ca.pem "
                + "--tlscert server-cert.pem --tlskey server-key.pem, listen on 127.0.0.1, or add --insecure-tcp "
                + "if this network is yours alone");
          }
          warnInsecure(h, what);
        }
        if (security.serveTls()) {
          if (ssl == null) {
            try {
              ssl = ApiTls.server(security.cert(), security.key(), security.caCert(), security.verify());
            } catch (IllegalArgumentException e) {
              throw new InvalidArgumentException(e.getMessage());
            }
          }
          out.add(new HttpServer.Tls(hp.host(), hp.port(), ssl));
        } else {
          out.add(new HttpServer.Tcp(hp.host(), hp.port()));
        }
      } else {
        throw new InvalidArgumentException("-H " + h + ": expected unix:///path or tcp://addr:port");
      }
    }
    return out;
  }

  private static void warnInsecure(String h, String what) {
    String msg = "\n"
        + "***************************************************************************************************\n"
        + "  WARNING: -H " + h + " serves the jswarm API with " + what + " (--insecure-tcp).\n"
        + "  Anyone who can reach this address controls the cluster and gets root on this host.\n"
        + "  Use --tlsverify --tlscacert --tlscert --tlskey instead, or bind to 127.0.0.1.\n"
        + "***************************************************************************************************";
    LOG.warn(msg);
    System.err.println(msg);
  }

  /** Loopback addresses and names that resolve only to loopback; 0.0.0.0 (every address) is not. */
  static boolean isLoopback(String host) {
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
