"""Open-banking providers behind one small interface (see :class:`base.Provider`)."""

from .base import Provider, ProviderError
from .berlin_group import BerlinGroupProvider
from .enable_banking import EnableBankingProvider
from .polishapi import PolishApiProvider

PROVIDERS = {
    "berlin_group": BerlinGroupProvider,
    "enable_banking": EnableBankingProvider,
    "polishapi": PolishApiProvider,
}
