/**
 * The leader's network allocator loop: applies the pure allocator of {@code io.jswarm.overlay.allocator} to the
 * store — task addresses ({@code NetworksAttachments}), service VIPs ({@code Endpoint.VirtualIPs}) and the NEW ->
 * PENDING step of tasks that need networks.
 */
package io.jswarm.manager.allocator;
