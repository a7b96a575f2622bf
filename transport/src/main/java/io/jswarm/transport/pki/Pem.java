package io.jswarm.transport.pki;

import io.jswarm.api.errors.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** PEM encoding and decoding of certificates, keys and CSRs; malformed input is a 400 naming {@code what}. */
final class Pem {
  private Pem() {}

  static String encode(Object o) {
    if (o instanceof PrivateKey key) {
      try {
        o = new JcaPKCS8Generator(key, null).generate(); // PKCS#8 "PRIVATE KEY", curve named in the algorithm id
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static String encode(List<X509Certificate> chain) {
    StringBuilder b = new StringBuilder();
    chain.forEach(c -> b.append(encode(c)));
    return b.toString();
  }

  /** Every certificate in {@code pem}, in order; at least one. */
  static List<X509Certificate> certificates(String pem, String what) {
    if (pem == null || pem.isBlank()) {
      throw new InvalidArgumentException(what + ": expected a PEM certificate, got nothing");
    }
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (var c : f.generateCertificates(new ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new InvalidArgumentException(what + ": no PEM certificate found");
      }
      return out;
    } catch (CertificateException e) {
      throw new InvalidArgumentException(what + ": not a valid PEM certificate: " + e.getMessage());
    }
  }

  static X509Certificate certificate(String pem, String what) {
    return certificates(pem, what).get(0);
  }

  /**
   * The private key in {@code pem}: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), after any other blocks before it (openssl's
   * {@code ecparam -genkey} writes the curve's "EC PARAMETERS" first); read with the JDK's key factories.
   */
  static PrivateKey privateKey(String pem, String what) {
    Object o = read(pem, what);
    if (!(o instanceof PEMKeyPair || o instanceof PrivateKeyInfo)) {
      o = firstKey(pem, o);
    }
    try {
      PrivateKeyInfo info;
      if (o instanceof PEMKeyPair kp) {
        info = kp.getPrivateKeyInfo();
      } else if (o instanceof PrivateKeyInfo pki) {
        info = pki;
      } else {
        throw new InvalidArgumentException(what + ": expected a PEM private key, got " + describe(o));
      }
      return new JcaPEMKeyConverter().getPrivateKey(info);
    } catch (InvalidArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new InvalidArgumentException(what + ": not a valid private key: " + e.getMessage());
    }
  }

  static PKCS10CertificationRequest csr(String pem, String what) {
    Object o = read(pem, what);
    if (o instanceof PKCS10CertificationRequest csr) {
      return csr;
    }
    throw new InvalidArgumentException(what + ": expected a PEM certificate signing request, got " + describe(o));
  }

  private static Object read(String pem, String what) {
    if (pem == null || pem.isBlank()) {
      throw new InvalidArgumentException(what + ": expected PEM text, got nothing");
    }
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o = p.readObject();
      if (o == null) {
        throw new InvalidArgumentException(what + ": no PEM block found");
      }
      return o;
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidArgumentException iae) {
        throw iae;
      }
      throw new InvalidArgumentException(what + ": malformed PEM: " + e.getMessage());
    }
  }

  /** The first key block of {@code pem}, or {@code first} when there is none (the caller names what it got). */
  private static Object firstKey(String pem, Object first) {
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof PEMKeyPair || o instanceof PrivateKeyInfo) {
          return o;
        }
      }
    } catch (IOException | RuntimeException e) {
      return first;
    }
    return first;
  }

  private static String describe(Object o) {
    return o.getClass().getSimpleName();
  }
}
