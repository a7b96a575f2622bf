/**
 * Node-to-node transport: {@code pki} (root CA, node certificates with CN = node id and OU = role, join
 * tokens), mutual-TLS contexts for Netty and Ratis, and {@code wire} (the framed JSON messages of the cluster
 * port). Manager and worker both build on it; it imports only {@code api}.
 */
package io.jswarm.transport;
