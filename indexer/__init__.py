"""The knowledge-base build step: parse knowledge/, embed, write FAISS + BM25 + manifest."""
