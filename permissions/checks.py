"""System checks: a witness setting that cannot be understood is caught at start-up, not
on the night the witness should first have been written."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from permissions.witness import configured_witness


@register()
def audit_witness_check(app_configs, **kwargs):
    """E001 when AUDIT_WITNESS (or AUDIT_WITNESS_FACILITY) is set to something unknown."""
    try:
        configured_witness()
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="See the README's configuration table for the accepted forms.",
                id="permissions.E001",
            )
        ]
    return []
