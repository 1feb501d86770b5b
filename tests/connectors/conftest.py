"""The fake SSB server fixtures, shared with the connector tests."""

from tests.fakessb.conftest import fake_ssb, fake_ssb_catalogue

__all__ = ["fake_ssb", "fake_ssb_catalogue"]
