"""The lifetime text of emailed codes and links comes from their TTL constants."""
from datetime import timedelta

from backend.services.auth import OTP_TTL, lasts


def test_lasts_states_whole_minutes():
    assert lasts(timedelta(minutes=15)) == "15 minutes"
    assert lasts(OTP_TTL) == f"{int(OTP_TTL.total_seconds()) // 60} minutes"
