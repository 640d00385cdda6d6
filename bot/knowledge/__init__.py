"""The knowledge base in the core: embedders, the index on disk, and tiered hybrid retrieval."""
