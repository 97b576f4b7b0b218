"""Prices per million tokens and token estimates, for budgets enforced before any call."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MODEL = "claude-sonnet-5-5"


@dataclass(frozen=True)
class Price:
    input_per_mtok: float
    output_per_mtok: float
    cache_read_per_mtok: float = 0.0
    cache_write_per_mtok: float = 0.0


# USD per million tokens, from the providers' published price lists.
PRICES: dict[str, Price] = {
    "claude-sonnet-5-5": Price(3.0, 15.0, 0.30, 3.75),
    "claude-sonnet-5": Price(3.0, 15.0, 0.30, 3.75),
    "claude-sonnet-4-6": Price(3.0, 15.0, 0.30, 3.75),
    "claude-sonnet-4-5": Price(3.0, 15.0, 0.30, 3.75),
    "claude-sonnet-4": Price(3.0, 15.0, 0.30, 3.75),
    "claude-opus-4-5": Price(5.0, 25.0, 0.50, 6.25),
    "claude-opus-4-1": Price(15.0, 75.0, 1.50, 18.75),
    "claude-haiku-5-5": Price(1.0, 5.0, 0.10, 1.25),
    "claude-haiku-4-5": Price(1.0, 5.0, 0.10, 1.25),
    "claude-opus-5-5": Price(5.0, 25.0, 0.50, 6.25),
    "claude-3-5-haiku": Price(0.80, 4.0, 0.08, 1.0),
}
FREE = Price(0.0, 0.0)


def price_for(model: str, provider: str = "anthropic") -> Price:
    """The price of a model; local OpenAI-compatible models are free, unknown Claude models are
    charged as the most expensive Sonnet so that budgets err on the safe side."""
    if provider != "anthropic":
        return PRICES.get(model, FREE)
    for name, price in PRICES.items():
        if model == name or model.startswith(name + "-"):
            return price
    return PRICES[DEFAULT_MODEL]


def estimate_tokens(text: str) -> int:
    """A conservative token estimate (code averages ~3.5 characters per token)."""
    return int(len(text) / 3.2) + 1


def cost(price: Price, input_tokens: int, output_tokens: int, cache_read: int = 0, cache_write: int = 0) -> float:
    return (
        input_tokens * price.input_per_mtok
        + output_tokens * price.output_per_mtok
        + cache_read * price.cache_read_per_mtok
        + cache_write * price.cache_write_per_mtok
    ) / 1_000_000
