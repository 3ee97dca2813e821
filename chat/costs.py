from decimal import Decimal

from django.conf import settings


def estimate_cost_usd(*, model: str, tokens_in: int, tokens_out: int) -> Decimal:
    """From the MODEL_PRICES table (USD per million tokens); 0 for models not in it (local ones)."""
    price = settings.MODEL_PRICES.get(model)
    if not price:
        return Decimal(0)
    price_in, price_out = (Decimal(str(value)) for value in price)
    return ((price_in * tokens_in + price_out * tokens_out) / Decimal(1_000_000)).quantize(Decimal("0.000001"))
