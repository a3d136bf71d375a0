"""Rewrite assets/seed/examples.json from assets/manifests (run after editing the examples)."""

from smarter_tui.services.seed import cache_path, examples_dir, write_cache

if __name__ == "__main__":
    write_cache(examples_dir(), cache_path())
    print(f"wrote {cache_path()}")
