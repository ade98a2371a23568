"""Serializers of the evaluation API: campaigns, results, red/black list. No person, no ballot."""

from __future__ import annotations

from rest_framework import serializers

from .models import Campaign, QuarterRating


class CampaignSerializer(serializers.ModelSerializer):
    compound = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Campaign
        fields = (
            "id",
            "compound",
            "community",
            "year",
            "title",
            "state",
            "state_label",
            "publicity_start",
            "publicity_end",
            "trim_extremes",
        )


class CriterionResultSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.name")
    group = serializers.CharField(source="criterion.group.name")
    max_score = serializers.IntegerField(source="criterion.max_score")
    weight = serializers.DecimalField(source="criterion.weight", max_digits=6, decimal_places=2)
    count = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    satisfaction_share = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    #: null below results.MIN_BALLOTS_FOR_DISTRIBUTION ballots (issue 14 item 1).
    distribution = serializers.DictField(child=serializers.IntegerField(), allow_null=True)


class TargetResultSerializer(serializers.Serializer):
    target = serializers.CharField()
    organization_kind = serializers.CharField(source="target.organization.kind")
    ballots = serializers.IntegerField()
    counted = serializers.IntegerField()
    trimmed = serializers.IntegerField()
    weighted_total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    satisfaction_share = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    band = serializers.CharField()
    band_label = serializers.CharField()
    stars = serializers.IntegerField()
    criteria = CriterionResultSerializer(many=True)


class QuarterRatingSerializer(serializers.ModelSerializer):
    company = serializers.CharField(source="company.name")

    class Meta:
        model = QuarterRating
        fields = (
            "year",
            "quarter",
            "company",
            "complaint_score",
            "pledge_score",
            "survey_score",
            "total",
            "verdict",
        )
