"""`aftercare index --tune`: a linear head over the frozen embeddings, fitted to the KB's own entries.

Softmax regression (no bias) from entry vectors to their article, full batch with Adam, in
numpy. The retriever mixes its probabilities with the similarity score when the index has one.
"""

from __future__ import annotations

import sys

import numpy as np

from bot.knowledge.embedders import Vectors
from bot.knowledge.retrieval import HEAD_SCALE

EPOCHS = 100
LEARNING_RATE = 0.01


def train_head(
    vectors: Vectors, labels: np.ndarray, classes: int, *, progress: bool = True
) -> Vectors:
    """Weights (dim × classes) maximising the likelihood of each entry's own article."""
    from tqdm import tqdm

    x = vectors.astype(np.float32)
    n, dim = x.shape
    weights = np.zeros((dim, classes), dtype=np.float32)
    m = np.zeros_like(weights)
    v = np.zeros_like(weights)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    onehot = np.zeros((n, classes), dtype=np.float32)
    onehot[np.arange(n), labels] = 1.0
    for step in tqdm(range(1, EPOCHS + 1), desc="tuning", file=sys.stderr, disable=not progress):
        logits = HEAD_SCALE * (x @ weights)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        grad = HEAD_SCALE * (x.T @ (probs - onehot)) / n
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        m_hat = m / (1 - beta1**step)
        v_hat = v / (1 - beta2**step)
        weights -= (LEARNING_RATE * m_hat / (np.sqrt(v_hat) + eps)).astype(np.float32)
    return weights
