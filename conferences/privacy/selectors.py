"""Reads of the screening's configuration: a network's allowed or forbidden terms (the
forbidden ones as keyed hashes only, never in clear)."""

from conferences.models import ScreeningTerm


def screening_terms(network, kind: str):
    """The network's terms of one kind (`ScreeningTerm.Kind`), as stored."""
    return ScreeningTerm.objects.filter(network=network, kind=kind)
