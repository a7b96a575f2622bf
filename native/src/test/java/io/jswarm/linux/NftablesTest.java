package io.jswarm.linux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NftablesTest {
  @Test
  void appliesAndListsInsideANamespace() throws Exception {
    try (TestNetns ns = new TestNetns("hnet-nft1")) {
      Nftables.run(ns.file, "add table ip hnet_t\nadd chain ip hnet_t c { type nat hook output priority -100; }\n"
          + "add rule ip hnet_t c tcp dport 1234 dnat to 10.9.9.9:80");
      String out = Nftables.run(ns.file, "list table ip hnet_t");
      assertTrue(out.contains("dnat to 10.9.9.9:80"), out);
      assertTrue(ns.exec("nft", "list", "tables").contains("hnet_t"));
      // not in the caller's namespace
      assertFalse(Nftables.run("list tables").contains("hnet_t"));
    }
  }

  @Test
  void errorCarriesNftText() throws Exception {
    try (TestNetns ns = new TestNetns("hnet-nft2")) {
      Nftables.NftablesException e = assertThrows(Nftables.NftablesException.class,
          () -> Nftables.run(ns.file, "add table ip hnet_t\nadd rule ip hnet_t nochain tcp dport 1 accept"));
      assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
      assertTrue(e.getMessage().contains("Could not process rule"), e.getMessage());
      // the transaction is atomic: the table of the failed script was not created either
      assertFalse(Nftables.run(ns.file, "list tables").contains("hnet_t"));
      Nftables.NftablesException syntax = assertThrows(Nftables.NftablesException.class,
          () -> Nftables.run(ns.file, "add tabel ip x"));
      assertTrue(syntax.getMessage().contains("syntax error"), syntax.getMessage());
    }
  }
}
