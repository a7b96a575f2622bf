/**
 * Manager control plane: control API, dispatcher, orchestrators, allocator. (Issue 3.)
 */
package io.jswarm.manager;
