"""Prometheus metrics of the LLM gateway."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LLM_TTFT = Histogram(
    "dari_llm_ttft_seconds",
    "Time from sending a chat request to the first generated token.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60),
)
LLM_TOKENS = Counter("dari_llm_tokens_total", "Tokens processed by the LLM, by kind.", ["kind"])
LLM_TOKENS_PER_S = Histogram(
    "dari_llm_tokens_per_second",
    "Generation speed of a completion (tokens/s after the first token).",
    buckets=(1, 2, 5, 10, 20, 35, 50, 75, 100, 150, 250),
)
LLM_REQUESTS = Counter(
    "dari_llm_requests_total", "LLM calls by outcome (ok, error, cancelled).", ["outcome"]
)
LLM_ERRORS = Counter("dari_llm_errors_total", "Failed LLM calls by error code.", ["code"])
LLM_RETRIES = Counter("dari_llm_retries_total", "Requests retried before the first token.")
LLM_CIRCUIT_OPEN = Gauge("dari_llm_circuit_open", "1 while the LLM circuit breaker is open.")
