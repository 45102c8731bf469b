"""Reference computations for the tests, written from the definitions and independent of
the library's searches (they are what the library is compared with)."""
from __future__ import annotations

import math
from collections import deque


def bfs_eccentricities(M) -> list:
    """Out-eccentricity of every token in the paper's graph (edge a -> b iff M[b, a]: token
    b attends to a) by plain BFS on the dense mask; ``math.inf`` where some token is not
    reached."""
    n = M.shape[0]
    ecc = []
    for s in range(n):
        dist = {s: 0}
        q = deque([s])
        while q:
            a = q.popleft()
            for b in range(n):
                if M[b, a] and b not in dist:
                    dist[b] = dist[a] + 1
                    q.append(b)
        ecc.append(max(dist.values()) if len(dist) == n else math.inf)
    return ecc
