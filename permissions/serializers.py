"""HTTP shapes of the access audit (API.md "Audit")."""

from rest_framework import serializers


class AccessRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    network = serializers.IntegerField(source="network_id")
    sequence = serializers.IntegerField()
    at = serializers.DateTimeField()
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.display_name")
    case = serializers.IntegerField(source="case_id")
    fields = serializers.ListField(child=serializers.CharField())
    via = serializers.CharField()


class WitnessCheckSerializer(serializers.Serializer):
    """How the chain compares with the witness lines written by `manage.py audit_witness`."""

    sequence = serializers.IntegerField(
        allow_null=True, help_text="The witnessed sequence the status is about."
    )
    at = serializers.CharField(
        allow_null=True, help_text="When that head was witnessed (ISO 8601, as written)."
    )
    status = serializers.ChoiceField(
        choices=["ok", "behind_witness", "differs", "bad_line"],
        help_text=(
            "behind_witness: records up to a witnessed sequence are missing; differs: a "
            "witnessed record was replaced; bad_line: a witness line fails its MAC."
        ),
    )
    bad_lines = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Line numbers in the witness whose MAC does not verify.",
    )


class ChainReportSerializer(serializers.Serializer):
    network = serializers.IntegerField()
    ok = serializers.BooleanField()
    records = serializers.IntegerField()
    first_broken = serializers.IntegerField(
        allow_null=True,
        help_text="The first sequence that does not verify (or is missing, or no longer "
        "matches the witness).",
    )
    witness = WitnessCheckSerializer(
        required=False, help_text="Present only when a witness line names the network."
    )
