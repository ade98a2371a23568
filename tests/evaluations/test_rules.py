"""evaluations/rules.py holds every permission; services only check them (issue 15 item 8).

seed: 评议监督考核制度 第一条 (社区党组织具体负责), 第五条 (经街道党工委审定; 公示 —
residents object), 小区党组织服务承诺 第10条 (红黑榜, year-end referral).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import rules
from django.core.exceptions import PermissionDenied

from evaluations import rules as evaluation_rules
from evaluations import services
from evaluations.models import Campaign
from tests.factories.directory import PersonFactory
from tests.factories.evaluations import advance_to

PACKAGE = Path(services.__file__).parent


def _source() -> str:
    return "\n".join(p.read_text() for p in sorted(PACKAGE.glob("*.py")))


def test_every_permission_the_services_check_is_a_registered_rule():
    quoted = set(re.findall(r'"(evaluations\.[a-z_]+)"', _source()))
    used = quoted - {"evaluations.services"}  # the package's logger name
    assert {"evaluations.organize", "evaluations.approve", "evaluations.object"} <= used
    for name in used:
        assert name in evaluation_rules.PERMISSIONS, name
        assert rules.perm_exists(name), name
        assert rules.rule_exists(name), name


def test_the_services_write_no_permission_logic_of_their_own():
    """No ``may_*`` body in services beyond the has_perm shorthands; predicates live in rules.py."""
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("may_"):
                assert "has_perm" in ast.unparse(node), f"{path.name}:{node.name}"
    assert "_require(" not in _source()


@pytest.mark.django_db
def test_a_superuser_who_lives_elsewhere_may_not_object_第五条(world):
    """Objections are the residents' voice: ``has_perm``'s superuser pass does not apply."""
    advance_to(world, Campaign.State.PUBLICITY)
    admin = PersonFactory(is_superuser=True)
    assert admin.has_perm("evaluations.object", world.campaign)  # Django's superuser pass
    assert not services.may_object(admin, world.campaign)
    with pytest.raises(PermissionDenied):
        services.objection_file(actor=admin, campaign=world.campaign, text="我有异议啊")


@pytest.mark.django_db
def test_organizing_is_checked_through_the_rule(world, person):
    assert rules.test_rule("evaluations.organize", world.community_secretary, world.campaign)
    assert not rules.test_rule("evaluations.organize", person, world.campaign)
    with pytest.raises(PermissionDenied):
        services.criterion_add(
            actor=person, campaign=world.campaign, group_name="组", name="项", max_score=5
        )
