/** The node's image store: content-addressed blobs (OCI layout), registry v2 pull and push, load, import, unpacked layers. */
package io.jswarm.worker.image;
