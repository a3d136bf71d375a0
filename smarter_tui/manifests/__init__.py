"""manifests layer."""
